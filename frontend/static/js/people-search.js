// Shortens a long list of people to tick as a name is typed (diacritics and case aside). Without JavaScript
// the whole list shows and every box can be ticked; ticked people always stay in sight.
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

for (const group of document.querySelectorAll("[data-people]")) {
  const search = group.querySelector("[data-people-search]");
  const people = [...group.querySelectorAll("[data-person]")];
  if (!search || people.length < 6) continue;
  search.hidden = false;
  search.addEventListener("input", () => {
    const wanted = fold(search.value.trim());
    for (const person of people) {
      const ticked = person.querySelector("input").checked;
      person.hidden = wanted !== "" && !ticked && !fold(person.dataset.person).includes(wanted);
    }
  });
}
