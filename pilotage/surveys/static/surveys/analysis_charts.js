// The survey results chart: the [data-survey-chart] element draws the json_script block
// "survey-analysis-data" (the CSP forbids inline scripts). The table beside it carries the
// same figures, with their confidence intervals, for those without scripts or charts.
// Redrawn after htmx swaps a new result in.
(function () {
  "use strict";
  var drawn = null;

  function bars(data, rtl) {
    var series;
    if (data.kind === "grouped") {
      series = data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values };
      });
    } else {
      series = [{ name: data.title, type: "bar", data: data.values }];
    }
    return {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          return items.map(function (item) {
            var text = item.seriesName + " : " + (item.value === null ? "—" : item.value.toFixed(1));
            if (data.lower && data.upper && data.lower[item.dataIndex] !== null) {
              text += " [" + data.lower[item.dataIndex].toFixed(1) + " – " + data.upper[item.dataIndex].toFixed(1) + "]";
            }
            return item.name + " — " + text;
          }).join("<br>");
        },
      },
      legend: { show: data.kind === "grouped", top: 0 },
      grid: { left: 10, right: 20, top: data.kind === "grouped" ? 30 : 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", inverse: rtl },
      yAxis: { type: "category", data: data.labels, inverse: true, position: rtl ? "right" : "left" },
      series: series,
    };
  }

  function draw() {
    var el = document.querySelector("[data-survey-chart]");
    var source = document.getElementById("survey-analysis-data");
    if (drawn) { drawn.dispose(); drawn = null; }
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    if (!data || !data.labels || !data.labels.length) { el.hidden = true; return; }
    var rows = data.labels.length * (data.kind === "grouped" ? data.series.length : 1);
    el.style.height = Math.max(200, 40 + rows * 26) + "px";
    drawn = window.echarts.init(el, null, { renderer: "canvas" });
    drawn.setOption(bars(data, document.documentElement.dir === "rtl"));
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () { if (drawn) drawn.resize(); });
})();
