// The partner actions map: the world-atlas TopoJSON (Natural Earth countries, ids are ISO
// 3166-1 numeric codes) is turned into GeoJSON with topojson-client, registered with
// ECharts and coloured by the figures the page passes in json_script; the view is framed
// on the countries of the tree, and a click opens the table of that country.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined" || typeof window.topojson === "undefined" || !window.fetch) {
    return;
  }

  function extend(box, coords) {
    if (typeof coords[0] === "number") {
      box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
      box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
      return;
    }
    coords.forEach(function (c) { extend(box, c); });
  }

  function draw(el, spec, topology) {
    var byId = {};
    spec.countries.forEach(function (c) { byId[c.numeric] = c; });
    var world = window.topojson.feature(topology, topology.objects.countries);
    var box = [180, 90, -180, -90];
    world.features.forEach(function (f) {
      f.properties = f.properties || {};
      // Features are named by their numeric id so the series data can address them.
      f.properties.label = f.properties.name;
      f.properties.name = String(f.id);
      if (byId[f.id] && f.geometry) { extend(box, f.geometry.coordinates); }
    });
    if (box[0] > box[2]) { return; }
    var pad = 4;
    window.echarts.registerMap("pilotage-world", world);
    var values = spec.countries.map(function (c) { return c.value; });
    var max = Math.max.apply(null, values.concat([1]));
    var nf = new Intl.NumberFormat(spec.locale);
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        confine: true,
        formatter: function (p) {
          var c = byId[p.name];
          if (!c) { return ""; }
          return c.name + "\n" + spec.label + " : " + nf.format(c.value) +
            (spec.measure === "reached" ? "\n" + nf.format(c.actions) + " " + spec.actionsLabel : "");
        }
      },
      visualMap: {
        type: "continuous", min: 0, max: max, calculable: true,
        text: [spec.label, ""], formatter: function (v) { return nf.format(Math.round(v)); },
        orient: "vertical", bottom: 8, left: spec.rtl ? "right" : "left",
        inRange: { color: ["#e0f3f8", "#74add1", "#0b5c8a"] }
      },
      series: [{
        type: "map", map: "pilotage-world", roam: true, selectedMode: false,
        boundingCoords: [[box[0] - pad, box[3] + pad], [box[2] + pad, box[1] - pad]],
        itemStyle: { areaColor: "#eef0f2", borderColor: "#ffffff", borderWidth: 0.6 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f0b429" } },
        data: spec.countries.map(function (c) { return { name: String(c.numeric), value: c.value }; })
      }]
    });
    el.setAttribute("data-drawn", "1");
    chart.on("click", function (p) {
      var c = byId[p.name];
      if (c && c.url) { window.location.assign(c.url); }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    }
  }

  document.querySelectorAll("[data-map]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-map"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    window.fetch(spec.topology, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (topology) { draw(el, spec, topology); })
      .catch(function () { el.hidden = true; });
  });
})();
