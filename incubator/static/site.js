// The pages' only script (the Content-Security-Policy allows no inline script): buttons
// marked data-print print the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
