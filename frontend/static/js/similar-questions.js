// Shows published answers similar to what the citizen is typing on the submit form, so someone whose
// question is already answered can read the answer at once. An enhancement only: without it (or when the
// API fails) the form works exactly the same.
const box = document.querySelector("[data-similar]");
const DELAY_MS = 400;
const MIN_CHARS = 8;

if (box) {
  const url = box.dataset.similarUrl;
  const fields = (box.dataset.similarFrom || "").split(" ").map((id) => document.getElementById(id)).filter(Boolean);
  const heading = box.querySelector("template[data-similar-heading]");
  let timer = null;
  let lastText = "";
  let controller = null;

  const render = (results) => {
    box.querySelectorAll(":scope > :not(template)").forEach((node) => node.remove());
    if (!results.length) return;
    box.append(heading.content.cloneNode(true));
    const list = document.createElement("ul");
    list.className = "similar__list";
    for (const item of results) {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title; // text, never HTML: titles come from citizens
      li.append(link);
      if (item.agency) {
        const agency = document.createElement("span");
        agency.className = "muted";
        agency.textContent = ` — ${item.agency}`;
        li.append(agency);
      }
      if (item.shared_words && item.shared_words.length) {
        const why = document.createElement("span");
        why.className = "hint";
        why.textContent = `${box.dataset.similarWhy || ""} ${item.shared_words.join(", ")}`; // text, never HTML
        li.append(why);
      }
      if (item.faq_url) {
        // The agency's public FAQ: where the questions it is asked again and again are answered.
        const faq = document.createElement("a");
        faq.className = "similar__faq";
        faq.href = item.faq_url;
        faq.target = "_blank";
        faq.rel = "noopener";
        faq.textContent = box.dataset.similarFaq || "FAQ";
        li.append(" ", faq);
      }
      list.append(li);
    }
    box.append(list);
  };

  const lookUp = async () => {
    const text = fields.map((field) => field.value.trim()).filter(Boolean).join(" ").slice(0, 500);
    if (text === lastText) return;
    lastText = text;
    if (text.length < MIN_CHARS) {
      render([]);
      return;
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ text })}`, {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      if (!response.ok) return;
      const body = await response.json();
      render(body.results || []);
    } catch (error) {
      if (error.name !== "AbortError") render([]); // offline or failing: show nothing, never block the form
    }
  };

  for (const field of fields) {
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, DELAY_MS);
    });
  }
}
