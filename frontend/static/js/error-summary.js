// Moves focus to the error summary so keyboard and screen-reader users hear what went wrong first, and
// makes its links focus the field itself (a plain fragment link only scrolls). Without this module the
// summary and its links still work: it is an enhancement only.
const summary = document.querySelector("[data-error-summary]");

if (summary) {
  summary.focus();

  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    // Show the field's label (or its group's legend) above it, not the field at the very top of the screen.
    const isChoice = field.type === "radio" || field.type === "checkbox";
    const legend = isChoice ? field.closest("fieldset")?.querySelector("legend") : null;
    const anchor = legend ?? document.querySelector(`label[for="${CSS.escape(field.id)}"]`) ?? field;
    anchor.scrollIntoView();
    field.focus({ preventScroll: true });
    history.replaceState(null, "", link.hash);
  });
}
