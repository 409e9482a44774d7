// Suggestions for the county/township filter boxes (villages/widgets.py), fetched from the
// scoped API as the user types. Loaded once per picker; runs once per page.
(function () {
  if (window.divisionPickerReady) return;
  window.divisionPickerReady = true;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-picker-url]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var q = input.value.trim();
          if (!q) return;
          var url = new URL(input.dataset.pickerUrl, window.location.origin);
          url.searchParams.set("q", q);
          // Townships narrow to the county chosen in the same form, if any.
          var county = input.form && input.form.elements.namedItem("county");
          if (county && county !== input && county.value) url.searchParams.set("county", county.value);
          fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : { results: [] }; })
            .then(function (data) {
              var options = (data.results || []).map(function (unit) {
                var option = document.createElement("option");
                option.value = unit.code;
                option.label = unit.name;
                option.textContent = unit.name;
                return option;
              });
              list.replaceChildren.apply(list, options);
            });
        }, 200);
      });
    });
  });
})();
