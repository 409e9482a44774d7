/* Live totals on the income entry form: 总收入 (five fields) and 经营性收入 (first three), the
 * jump warning against last year's 总收入, and the 2024 rule for 发包及上交收入.
 * Amounts are summed in cents (integers) so the page shows what the server will compute: a sum
 * with a blank amount is 未填, as the database stores it for a draft. */
(function () {
  "use strict";
  // The portal's one money grammar (loudi_portal/money.py states it; tests/portal/money_cases.json
  // is the table both are tested against): half- or full-width digits, thousands commas only in
  // groups of three, at most 2 decimals, no exponent, no inner space, at most 12 integer digits,
  // no sign (income is never negative). toCents reads a blank as 0; update() keeps blanks apart.
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

  function input(name) {
    return form.querySelector('[data-field="' + name + '"]');
  }

  // An amount in cents; null for a blank a draft may keep (未填: the server stores no figure and
  // its sums stay blank too); NaN for text the grammar refuses. The abolished 发包及上交收入 is
  // read-only and 0 when blank, as the server saves it.
  function value(name) {
    var field = input(name);
    if (!field) return 0;
    if (field.value.trim() === "") return field.readOnly ? 0 : null;
    return toCents(field.value);
  }

  // The sum as the database computes it: NaN if any amount is wrong, null if any is blank.
  function sum(names) {
    return names.reduce(function (acc, name) {
      var cents = value(name);
      if (isNaN(acc) || isNaN(cents)) return NaN;
      return acc === null || cents === null ? null : acc + cents;
    }, 0);
  }

  function blanks(names) {
    return names.filter(function (name) { return value(name) === null; });
  }

  function label(name) {
    var field = input(name);
    var tag = field && form.querySelector('label[for="' + field.id + '"]');
    return tag ? tag.textContent.trim() : name;
  }

  function partial(names) {
    return names.reduce(function (acc, name) { return acc + (value(name) || 0); }, 0);
  }

  function shown(cents) {
    return cents === null ? "未填" : format(cents);
  }

  function tier(cents) {
    if (cents === null || isNaN(cents)) return "";
    if (cents >= 100000000) return "百万村(≥100万)";
    if (cents >= 50000000) return "强村(≥50万)";
    if (cents >= 10000000) return "中间村(10万~50万)";
    return "弱村(<10万)";
  }

  function update() {
    var total = sum(ALL);
    var operating = sum(OPERATING);
    var missing = blanks(ALL);
    var note = "";
    if (isNaN(total)) note = "有金额格式错误";
    else if (total === null) {
      note = "已填各项合计 " + format(partial(ALL)) + " 元;" + missing.map(label).join("、") + "未填,提交前须填写,没有此项收入请填 0";
    } else note = "约 " + (total / 1000000).toFixed(2) + " 万元";
    document.getElementById("income-total").textContent = shown(total);
    document.getElementById("income-total-wan").textContent = note;
    document.getElementById("income-operating").textContent = shown(operating);
    document.getElementById("income-tier").textContent = tier(operating);
    var jump = document.getElementById("jump-warning");
    if (jump) {
      // The server's rule: > 3× or < 1/3 of last year's 总收入 needs a note. Compared once every
      // amount is filled: a form still being typed is not yet a drop.
      var complete = total !== null && !isNaN(total);
      var jumped = complete && lastTotal !== null && (total > lastTotal * 3 || total * 3 < lastTotal);
      jump.hidden = !jumped;
      var remark = form.querySelector("textarea[name=note]");
      jump.classList.toggle("bad", jumped && remark && remark.value.trim() === "");
    }
    var contracting = document.getElementById("contracting-warning");
    if (contracting) contracting.hidden = !(year >= abolishedFrom && value("contracting_revenue") !== 0);
    ALL.forEach(function (name) {
      var field = input(name);
      if (field) field.classList.toggle("invalid", isNaN(toCents(field.value)));
    });
  }

  form.addEventListener("input", update);
  update();
})();
