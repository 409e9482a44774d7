/* At phone width the main menu folds behind one button (portal.css hides it only once this
   script has run, so without scripts the menu stays visible). */
(function () {
  "use strict";
  var nav = document.getElementById("mainnav");
  var toggle = document.querySelector(".menu-toggle");
  if (!nav || !toggle) return;
  nav.classList.add("collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
