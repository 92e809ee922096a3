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

// A field marked data-suggest="/api/..." offers, as one types, the start-ups the directory's
// API finds for the words typed so far ("Name (slug)", which the form reads back): the page
// carries no list of the park's start-ups, and without this script the field still takes a
// name or a slug typed in full.
function suggestions(input) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const words = input.value.trim();
    if (words.length < 2 || words.endsWith(")") || words === asked) return;
    timer = setTimeout(async () => {
      asked = words;
      const url = `${input.dataset.suggest}?per_page=10&q=${encodeURIComponent(words)}`;
      try {
        const answer = await fetch(url, { headers: { Accept: "application/json" } });
        if (!answer.ok || input.value.trim() !== words) return;
        const found = (await answer.json()).items || [];
        list.replaceChildren(
          ...found.map((startup) => {
            const option = document.createElement("option");
            option.value = `${startup.name_en} (${startup.slug})`;
            if (startup.name_zh) option.label = startup.name_zh;
            return option;
          }),
        );
      } catch (error) {
        // Offline or refused: the field still takes what is typed.
      }
    }, 200);
  });
}
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[data-suggest][list]")) suggestions(input);
});

// An application's form (data-autosave: its answers' API address) saves the typed answers a
// second after the last keystroke, as a draft, and says so; files still go with the Save
// button, which also works without this script.
function autosave(form) {
  const status = form.querySelector("[data-autosave-status]");
  let timer = null;
  const save = async () => {
    const answers = {};
    for (const field of form.elements) {
      if (field.name && field.name.startsWith("answer.")) answers[field.name.slice(7)] = field.value;
    }
    const token = (document.cookie.match(/(?:^|; )csrftoken=([^;]*)/) || [])[1] || "";
    try {
      const answer = await fetch(form.dataset.autosave, {
        method: "PUT",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": decodeURIComponent(token),
        },
        body: JSON.stringify({ answers }),
      });
      status.textContent = answer.ok ? form.dataset.saved : form.dataset.notSaved;
    } catch (error) {
      status.textContent = form.dataset.notSaved;
    }
  };
  form.addEventListener("input", (event) => {
    if (!event.target.name || !event.target.name.startsWith("answer.")) return;
    clearTimeout(timer);
    timer = setTimeout(save, 1000);
  });
}
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosave]")) autosave(form);
});

// A checkbox marked data-select-all="name" (hidden until this script shows it) ticks or
// clears every enabled checkbox of that name in its form: "all on this page" of a list.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    const boxes = () =>
      all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]:not(:disabled)`);
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
    });
  }
});
