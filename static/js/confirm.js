/* Confirmation before an action that cannot be undone: a form with data-confirm="consequences"
   opens the page's native <dialog>; only 确认 sends the form (with the button that was pressed).
   Optional: data-confirm-title, data-confirm-button. Served as a file (the CSP allows no inline script). */
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var title = dialog.querySelector(".confirm-title");
  var message = dialog.querySelector(".confirm-message");
  var ok = dialog.querySelector("button[value=ok]");
  var pending = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    pending = { form: form, submitter: event.submitter || null };
    title.textContent = form.dataset.confirmTitle || "请确认";
    message.textContent = form.dataset.confirm;
    ok.textContent = form.dataset.confirmButton || "确认";
    dialog.returnValue = "";
    dialog.showModal();
    ok.focus();
  });

  dialog.addEventListener("close", function () {
    var target = pending;
    pending = null;
    if (!target || dialog.returnValue !== "ok") return;
    target.form.dataset.confirmed = "1";
    if (typeof target.form.requestSubmit === "function") {
      target.form.requestSubmit(target.submitter || undefined);
    } else {
      target.form.submit();
    }
  });
})();
