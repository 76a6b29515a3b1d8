// Autosaves the answer being written (cases/web/drafts.py draft_autosave): a few seconds after the official
// stops typing, and when the page is hidden. The status line says when it was last kept ("Saved at 14:05")
// or what changed if it cannot be (the case moved, another version was saved); the text stays in the box
// and the Save button then leads to a page that keeps it. Without this module the draft is saved when the
// button is pressed.
const DELAY_MS = 3000;

for (const form of document.querySelectorAll("form[data-autosave-url]")) {
  const body = form.querySelector("textarea[name=body]");
  const base = form.querySelector("[data-autosave-base]");
  const status = form.querySelector("[data-autosave-status]");
  if (!body || !base || !status) continue;
  let timer = null;
  let savedText = body.value;
  let stopped = false;
  let inFlight = null;

  async function save() {
    timer = null;
    if (stopped || body.value === savedText || !body.value.trim()) return;
    if (inFlight) await inFlight;
    const text = body.value;
    const data = new FormData();
    data.set("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.set("body", text);
    data.set("base_version", base.value);
    inFlight = fetch(form.dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          base.value = String(answer.version);
          // "Send version N for review" names the version a leader will read: the one just kept.
          for (const number of document.querySelectorAll("[data-autosave-number]")) {
            number.textContent = String(answer.version);
          }
          savedText = text;
          status.textContent = answer.status;
          status.classList.remove("autosave-status--problem");
        } else if (response.status === 409) {
          stopped = true; // saving again would fail the same way; the Save button shows the way to keep it
          status.textContent = answer.conflict;
          status.classList.add("autosave-status--problem");
        } else {
          // Refused for another reason (the text too long, the session ended): say so; the next pause tries again.
          const messages = answer.errors ? Object.values(answer.errors).flat() : [];
          status.textContent = messages.join(" ") || status.dataset.autosaveFailed;
          status.classList.add("autosave-status--problem");
        }
      })
      .catch(() => {
        // Offline for a moment: the text is still in the box, and the next pause tries again.
      })
      .finally(() => {
        inFlight = null;
      });
    await inFlight;
  }

  body.addEventListener("input", () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, Number(form.dataset.autosaveDelay || DELAY_MS));
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save();
  });
}
