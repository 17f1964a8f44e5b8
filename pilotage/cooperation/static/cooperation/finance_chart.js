// The portfolio dashboard's chart: reads the figures from the json_script block named by
// data-finance-chart (the CSP forbids inline scripts); the tables below carry the same.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-finance-chart"));
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    if (!data || !data.years.length) return;
    var rtl = document.documentElement.dir === "rtl";
    el.style.height = "320px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.years.map(String), inverse: rtl },
      yAxis: { type: "value", position: rtl ? "right" : "left" },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values.map(Number) };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-finance-chart]").forEach(draw);
  });
})();
