// The pages' only script (the Content-Security-Policy allows no inline script): buttons
// marked data-print print the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A table wider than the screen scrolls in its box: the box takes the keyboard's focus, so it
// can be scrolled without a mouse, and is named after its table.
function focusableScrolls() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (scrolls && !box.hasAttribute("tabindex")) {
      const table = box.querySelector("table");
      const caption = table && table.caption ? table.caption.textContent.trim() : "";
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (caption) box.setAttribute("aria-label", caption);
    }
  }
}
document.addEventListener("DOMContentLoaded", focusableScrolls);
window.addEventListener("resize", focusableScrolls);
