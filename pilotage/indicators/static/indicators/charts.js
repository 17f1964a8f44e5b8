// Line and bar charts of the dashboards, drawn with ECharts from the data each page puts in
// a json_script block (the CSP forbids inline scripts). The tables of the page carry the
// same figures: without JavaScript the chart boxes simply stay hidden.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }

  function formatter(spec) {
    var nf = new Intl.NumberFormat(spec.locale, { maximumFractionDigits: spec.decimals });
    return function (v) {
      if (v === null || v === undefined || (typeof v === "number" && isNaN(v))) { return spec.noData; }
      var s = nf.format(v);
      if (spec.unit === "%") { return s + "\u00a0%"; }
      if (spec.unit === "/20") { return s + "/20"; }
      return s;
    };
  }

  function tooltip(spec, fmt) {
    // Plain text drawn on the canvas: no HTML, so names need no escaping and the CSP's
    // style rules are not in the way.
    return {
      trigger: "axis",
      renderMode: "richText",
      confine: true,
      formatter: function (items) {
        var list = Array.isArray(items) ? items : [items];
        var lines = [list.length ? list[0].name : ""];
        list.forEach(function (p) {
          lines.push((spec.series.length > 1 ? p.seriesName + " : " : "") + fmt(p.value));
        });
        return lines.join("\n");
      }
    };
  }

  function legend(spec) {
    return { show: spec.series.length > 1, top: 0, left: spec.rtl ? "right" : "left" };
  }

  function lineOption(spec, fmt) {
    return {
      tooltip: tooltip(spec, fmt),
      legend: legend(spec),
      grid: { top: spec.series.length > 1 ? 32 : 12, bottom: 8, left: 8, right: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, inverse: spec.rtl, boundaryGap: true },
      yAxis: { type: "value", position: spec.rtl ? "right" : "left", axisLabel: { formatter: fmt } },
      series: spec.series.map(function (s) {
        return { type: "line", name: s.name, data: s.data, connectNulls: false, symbolSize: 8 };
      })
    };
  }

  function barOption(spec, fmt) {
    // Horizontal bars, the best value on top; names on the start side of the reading order.
    return {
      tooltip: tooltip(spec, fmt),
      legend: legend(spec),
      grid: { top: spec.series.length > 1 ? 32 : 8, bottom: 8, left: 8, right: 8, containLabel: true },
      xAxis: { type: "value", inverse: spec.rtl, axisLabel: { formatter: fmt, hideOverlap: true } },
      yAxis: {
        type: "category", data: spec.categories, inverse: true, position: spec.rtl ? "right" : "left",
        axisLabel: { width: 140, overflow: "truncate" }
      },
      series: spec.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, cursor: spec.links ? "pointer" : "default" };
      })
    };
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    if (!spec.categories || !spec.categories.length) { return; }
    el.hidden = false;
    if (spec.kind === "bar") {
      el.style.height = Math.max(200, spec.categories.length * 26 * spec.series.length + 60) + "px";
    }
    var fmt = formatter(spec);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var option = spec.kind === "bar" ? barOption(spec, fmt) : lineOption(spec, fmt);
    option.textStyle = { fontFamily: window.getComputedStyle(document.body).fontFamily };
    chart.setOption(option);
    if (spec.links) {
      chart.on("click", function (p) {
        var url = spec.links[p.dataIndex];
        if (url) { window.location.assign(url); }
      });
    }
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
