// Opens the disclosures marked data-open-wide on screens wide enough to show them beside the content (the
// queue's filters): on a phone they stay folded, so the results come first. Without this module they are
// folded everywhere and open with one press.
const wide = window.matchMedia("(min-width: 48rem)");

function apply() {
  for (const details of document.querySelectorAll("details[data-open-wide]")) {
    if (wide.matches) details.open = true;
  }
}

apply();
wide.addEventListener("change", apply);
