/* Draws the dashboards' charts with Apache ECharts (served by the portal, no CDN).
 *
 * Each chart is a <div class="chart" data-chart="ID"> whose data sits in <script id="ID"
 * type="application/json"> (the chart_data filter): {categories, codes, series: [{name, type, data,
 * urls or url, stack, axis}], axes: [{name, max}]}. Numbers arrive as strings (Decimal); a click on
 * a bar or point opens the list behind it: the series' urls[i], or its one url with "{code}" replaced
 * by codes[i] (a per-county chart sends one link pattern, not one link per county). The tables
 * under the charts carry the same figures.
 */
(function () {
  "use strict";

  var PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"];

  function toNumber(value) {
    if (value === null || value === undefined || value === "") return 0;
    var n = Number(value);
    return isNaN(n) ? 0 : n;
  }

  function buildOption(spec) {
    var axes = (spec.axes && spec.axes.length ? spec.axes : [{ name: "" }]).map(function (axis, i) {
      var y = { type: "value", name: axis.name || "", position: i === 0 ? "left" : "right" };
      if (axis.max !== undefined && axis.max !== null) y.max = axis.max;
      if (i > 0) y.splitLine = { show: false };
      return y;
    });
    var series = spec.series.map(function (s) {
      var one = {
        name: s.name,
        type: s.type || "bar",
        data: s.data.map(function (value, i) {
          // A year still being filled in (spec.provisional) is drawn hatched and dashed, not solid.
          if (!(spec.provisional && spec.provisional[i])) return toNumber(value);
          return {
            value: toNumber(value),
            itemStyle: { opacity: 0.55, borderType: "dashed", borderWidth: 1, borderColor: "#555",
                         decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: -0.8 } },
            symbol: "emptyCircle",
          };
        }),
        yAxisIndex: s.axis || 0,
        emphasis: { focus: "series" },
      };
      if (s.stack) one.stack = s.stack;
      if (s.symbol) one.symbol = s.symbol;
      if (one.type === "bar") one.barMaxWidth = 48;
      if (one.type === "line") one.symbolSize = 8;
      return one;
    });
    return {
      color: PALETTE,
      animation: false,
      aria: { enabled: true, decal: { show: false } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 12, right: 12, top: 48, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 30 : 0 },
      },
      yAxis: axes,
      series: series,
    };
  }

  // The link behind point i of series s (see the header).
  function pointUrl(spec, s, i) {
    if (!s) return null;
    if (s.urls && s.urls.length) return s.urls[i] || null;
    if (!s.url) return null;
    return spec.codes ? s.url.replace("{code}", spec.codes[i]) : s.url;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) throw new Error("图表数据缺失:" + el.getAttribute("data-chart"));
    var spec = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(buildOption(spec));
    chart.on("click", function (params) {
      var url = pointUrl(spec, spec.series[params.seriesIndex], params.dataIndex);
      if (url) window.location.href = url;
    });
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  function init() {
    var charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      charts.push(draw(el));
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
