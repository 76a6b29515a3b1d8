// Copy buttons. The page renders each button hidden:
//   <button type="button" data-copy="ELEMENT_ID" data-copied="Copied" hidden>Copy</button>
//   <span role="status" data-copy-status-for="ELEMENT_ID"></span>
// This module shows the buttons and copies the element's text when pressed. Without it the text is still
// there to select and copy by hand.
function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

async function copyText(element) {
  const text = element.textContent.trim();
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Fall through to the older way (e.g. permission refused).
    }
  }
  selectText(element);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const target = document.getElementById(button.dataset.copy);
  if (!target) continue;
  const status = document.querySelector(`[data-copy-status-for="${CSS.escape(button.dataset.copy)}"]`);
  button.hidden = false;
  button.addEventListener("click", async () => {
    const copied = await copyText(target);
    if (!copied) selectText(target);
    if (status) {
      // Clear first so that pressing twice is announced twice.
      status.textContent = "";
      window.setTimeout(() => {
        status.textContent = copied ? button.dataset.copied : button.dataset.selected ?? "";
      }, 50);
    }
  });
}
