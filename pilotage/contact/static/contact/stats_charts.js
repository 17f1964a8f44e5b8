// The contact centre's statistics charts: each [data-contact-chart] element names a part
// of the json_script block "contact-stats-data" (the CSP forbids inline scripts); the
// tables of the page carry the same figures for those without scripts or charts.
(function () {
  "use strict";
  function draw(el, data) {
    var name = el.getAttribute("data-contact-chart");
    var part = data[name];
    if (!part || !part.labels || !part.labels.length) { el.hidden = true; return; }
    var rtl = document.documentElement.dir === "rtl";
    el.style.height = "300px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var option;
    if (name === "monthly" || name === "weekly") {
      var series = [
        { name: data.names.received, type: "line", data: part.received },
        { name: data.names.resolved, type: "line", data: part.resolved },
      ];
      if (part.sla) {
        series.push({ name: data.names.sla, type: "bar", yAxisIndex: 1, data: part.sla, opacity: 0.4 });
      }
      option = {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 50, right: 50, top: 30, bottom: 40 },
        xAxis: { type: "category", data: part.labels, inverse: rtl },
        yAxis: [
          { type: "value", position: rtl ? "right" : "left" },
          { type: "value", max: 100, position: rtl ? "left" : "right", show: !!part.sla },
        ],
        series: series,
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
        xAxis: { type: "value", inverse: rtl },
        yAxis: { type: "category", data: part.labels, inverse: true, position: rtl ? "right" : "left" },
        series: [{ name: data.names.received, type: "bar", data: part.values }],
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("contact-stats-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-contact-chart]").forEach(function (el) { draw(el, data); });
  });
})();
