/* Live totals on the income entry form: 总收入 (five fields) and 经营性收入 (first three), the
 * jump warning against last year's 总收入, and the 2024 rule for 发包及上交收入.
 * Amounts are summed in cents (integers) so the page shows what the server will compute. */
(function () {
  "use strict";
  // The portal's one money grammar (loudi_portal/money.py states it; tests/portal/money_cases.json
  // is the table both are tested against): half- or full-width digits, thousands commas only in
  // groups of three, at most 2 decimals, no exponent, no inner space, at most 12 integer digits,
  // no sign (income is never negative). Blank counts 0 while typing; anything else is NaN.
  var FULL_WIDTH = "０１２３４５６７８９．，－＋";
  var HALF_WIDTH = "0123456789.,-+";
  var GRAMMAR = /^([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$/;

  var form = document.getElementById("income-form");
  if (!form) return;
  var OPERATING = ["operating_revenue", "contracting_revenue", "investment_income"];
  var ALL = OPERATING.concat(["subsidy_income", "other_income"]);
  var year = parseInt(form.dataset.year, 10);
  var abolishedFrom = parseInt(form.dataset.abolishedFrom, 10);
  var lastTotal = form.dataset.lastTotal === undefined ? null : toCents(form.dataset.lastTotal);

  function toCents(text) {
    var clean = String(text == null ? "" : text)
      .replace(/[０-９．，－＋]/g, function (c) { return HALF_WIDTH.charAt(FULL_WIDTH.indexOf(c)); })
      .trim();
    if (clean === "") return 0;
    var match = GRAMMAR.exec(clean);
    if (!match) return NaN;
    var whole = match[1].replace(/,/g, "").replace(/^0+(?=[0-9])/, "");
    if (whole.length > 12) return NaN;
    return parseInt(whole, 10) * 100 + parseInt((match[2] || "").padEnd(2, "0"), 10);
  }
  window.LoudiMoney = { toCents: toCents };

  function format(cents) {
    if (isNaN(cents)) return "—";
    var yuan = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return yuan + "." + String(cents % 100).padStart(2, "0");
  }

  function value(name) {
    var input = form.querySelector('[data-field="' + name + '"]');
    return input ? toCents(input.value) : 0;
  }

  function sum(names) {
    return names.reduce(function (acc, name) { return acc + value(name); }, 0);
  }

  function tier(cents) {
    if (isNaN(cents)) return "";
    if (cents >= 100000000) return "百万村(≥100万)";
    if (cents >= 50000000) return "强村(≥50万)";
    if (cents >= 10000000) return "中间村(10万~50万)";
    return "弱村(<10万)";
  }

  function update() {
    var total = sum(ALL);
    var operating = sum(OPERATING);
    document.getElementById("income-total").textContent = format(total);
    document.getElementById("income-total-wan").textContent = isNaN(total) ? "有金额格式错误" : "约 " + (total / 1000000).toFixed(2) + " 万元";
    document.getElementById("income-operating").textContent = format(operating);
    document.getElementById("income-tier").textContent = tier(operating);
    var jump = document.getElementById("jump-warning");
    if (jump) {
      // The server's rule: > 3× or < 1/3 of last year's 总收入 needs a note.
      // An empty form is not yet a drop to 0: warn once the clerk has typed an amount.
      var typed = ALL.some(function (name) {
        var input = form.querySelector('[data-field="' + name + '"]');
        return input && !input.readOnly && input.value.trim() !== "";
      });
      var jumped = typed && lastTotal !== null && !isNaN(total) && (total > lastTotal * 3 || total * 3 < lastTotal);
      jump.hidden = !jumped;
      var note = form.querySelector("textarea[name=note]");
      jump.classList.toggle("bad", jumped && note && note.value.trim() === "");
    }
    var contracting = document.getElementById("contracting-warning");
    if (contracting) contracting.hidden = !(year >= abolishedFrom && value("contracting_revenue") !== 0);
    ALL.forEach(function (name) {
      var input = form.querySelector('[data-field="' + name + '"]');
      if (input) input.classList.toggle("invalid", isNaN(toCents(input.value)));
    });
  }

  form.addEventListener("input", update);
  update();
})();
