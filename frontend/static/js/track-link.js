// A bookmarked track link carries the access code in its fragment (#token=…), which browsers never send to
// the server. This fills the form from it, removes it from the address bar and history, and posts the form.
const form = document.querySelector("form[data-track-form]");
const params = new URLSearchParams(window.location.hash.slice(1));
const token = params.get("token");
if (form && token) {
  history.replaceState(null, "", window.location.pathname + window.location.search);
  form.querySelector("input[name=token]").value = token;
  if (form.querySelector("input[name=code]").value) {
    form.submit();
  }
}
