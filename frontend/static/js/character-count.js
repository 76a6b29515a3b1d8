// The character count of long text fields, after GOV.UK's component: every <textarea data-character-count="N">
// shows, while one types, how many characters are left ("Bạn còn 120 ký tự") or how many are too many
// ("Bạn đã vượt quá 15 ký tự"). It never cuts the text (any maxlength is removed): the server refuses a text
// over the limit with a message beside the field, and keeps it. Screen readers are told the same through a
// polite live region, once typing pauses, rather than at every key.
//
// The sentences come translated from the page (includes/character_count_text.html). Without JavaScript the
// field is a plain textarea and the server's message says the limit.
const texts = document.getElementById("character-count-text")?.dataset;
const language = document.documentElement.lang || "vi";
const plural = new Intl.PluralRules(language);
const ANNOUNCE_AFTER_MS = 1000;

function sentence(kind, count) {
  const form = plural.select(count) === "one" ? "One" : "Other";
  const template = texts[`${kind}${form}`] ?? texts[`${kind}Other`];
  return template.replace("%(count)s", count.toLocaleString(language));
}

function enhance(field) {
  const limit = Number.parseInt(field.dataset.characterCount, 10);
  if (!field.id || !Number.isFinite(limit) || limit <= 0) return;
  field.removeAttribute("maxlength");

  // What the limit is, for screen readers, read with the field (the visible count is hidden from them).
  const limitHint = document.createElement("span");
  limitHint.id = `${field.id}-limit`;
  limitHint.className = "visually-hidden";
  limitHint.textContent = sentence("limit", limit);
  const visible = document.createElement("div");
  visible.className = "hint character-count__message";
  visible.setAttribute("aria-hidden", "true");
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  field.after(limitHint, visible, status);
  const describedBy = (field.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
  field.setAttribute("aria-describedby", [...describedBy, limitHint.id].join(" "));

  let timer;
  const update = ({ announce }) => {
    const left = limit - field.value.length;
    const text = left >= 0 ? sentence("remaining", left) : sentence("over", -left);
    visible.textContent = text;
    visible.classList.toggle("character-count__message--over", left < 0);
    field.classList.toggle("character-count--over", left < 0);
    clearTimeout(timer);
    if (announce) timer = setTimeout(() => (status.textContent = text), ANNOUNCE_AFTER_MS);
  };
  field.addEventListener("input", () => update({ announce: true }));
  update({ announce: false });
}

if (texts) {
  document.querySelectorAll("textarea[data-character-count]").forEach(enhance);
}
