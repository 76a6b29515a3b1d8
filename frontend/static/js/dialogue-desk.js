// Keyboard shortcuts on the moderation desk: J / K move between questions, A approves, R rejects (or withdraws),
// M merges into the similar question chosen in its list, ? opens the list of shortcuts. Each key presses the
// same button a mouse would (the forms post as without JavaScript). Keys typed into a field are left alone.
const root = document.getElementById("dialogue-room");

if (root && root.dataset.page === "moderator") {
  const items = () => [...root.querySelectorAll("[data-live-region] [data-desk-item]")];
  let current = null; // the id of the question in hand, kept across the live refreshes of the list

  const select = (node) => {
    for (const item of items()) item.classList.toggle("dlg-staff-item--current", item === node);
    if (!node) return;
    current = node.id;
    node.focus();
  };

  root.addEventListener("room:refreshed", () => {
    const node = current && document.getElementById(current);
    if (node) node.classList.add("dlg-staff-item--current");
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    const all = items();
    const here = event.target.closest("[data-desk-item]") || (current && document.getElementById(current));
    const index = here ? all.indexOf(here) : -1;
    if (key === "j" || key === "k") {
      event.preventDefault();
      const next = key === "j" ? Math.min(all.length - 1, index + 1) : Math.max(0, index - 1);
      select(all[next] || null);
    } else if (key === "?") {
      const help = root.querySelector(".dlg-shortcuts");
      if (help) help.open = !help.open;
    } else if ((key === "a" || key === "r" || key === "m") && here) {
      const button = here.querySelector(`[data-shortcut="${key}"]`);
      if (!button) return;
      event.preventDefault();
      // The next question is the one in hand once the page comes back.
      const after = all[index + 1] || all[index - 1];
      if (after) sessionStorage.setItem(`desk-${root.dataset.dialogue}`, after.id);
      button.click();
    }
  });

  // After an action the page comes back from the server: carry on with the next question.
  const resume = sessionStorage.getItem(`desk-${root.dataset.dialogue}`);
  sessionStorage.removeItem(`desk-${root.dataset.dialogue}`);
  const start = resume && document.getElementById(resume);
  if (start) select(start);
}
