// Polls the run's status while it is queued or running, and reloads the page once it is finished.
(function () {
  var box = document.getElementById("run-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var label = document.getElementById("run-status-label");
  var elapsed = document.getElementById("run-elapsed");
  var steps = box.querySelectorAll(".inc-steps li");
  var began = Date.now();
  function mark(status) {
    var order = ["queued", "running", "done"];
    var at = order.indexOf(status);
    steps.forEach(function (li, i) {
      li.className = i < at ? "done" : (i === at ? "current" : "");
    });
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (label) label.textContent = data.label;
        mark(data.status);
        if (data.finished) { window.location.reload(); return; }
        if (elapsed) elapsed.textContent = Math.round((Date.now() - began) / 1000);
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
