// The commune list of the submit form (cases/web/area_choice.py): without JavaScript the citizen chooses a
// province and presses "Show its communes and wards", which sends the form back with the list filled. Here the
// list follows the province at once, from /submit/communes/, and that button is no longer needed.
const choice = document.querySelector("[data-commune-choice]");

if (choice) {
  const province = choice.querySelector("select[name=province]");
  const commune = choice.querySelector("select[name=commune]");
  const group = choice.querySelector("[data-commune-group]");
  const button = choice.querySelector("[data-show-communes]");
  const none = commune.querySelector("option[value='']");
  // Removed, not hidden: a form's first submit button is what Enter in a field presses, and it must be Send.
  const buttonPlace = button.previousElementSibling;
  button.remove();

  const fill = async () => {
    const code = province.value;
    if (!code) {
      commune.replaceChildren(none);
      group.hidden = true;
      return;
    }
    try {
      const url = `${choice.dataset.communesUrl}?${new URLSearchParams({ province: code })}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const { communes } = await response.json();
      if (province.value !== code) return; // the citizen chose another province meanwhile
      const options = communes.map(({ code: value, name }) => new Option(name, value));
      commune.replaceChildren(none, ...options);
      group.hidden = communes.length === 0;
    } catch {
      buttonPlace.after(button); // offline or refused: the form's own step still works
    }
  };
  province.addEventListener("change", fill);
}
