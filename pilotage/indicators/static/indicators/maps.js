// Choropleth maps of regions and provinces: the morocco-map TopoJSON is turned into GeoJSON
// here, registered with ECharts and coloured by the values the page passes in json_script.
// Features are keyed by their ISO code (the geometry's id), which is the org unit's code.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined" || !window.fetch) { return; }

  // -- TopoJSON → GeoJSON: arcs are quantized and delta-encoded; a ring lists arc indexes,
  // ~i meaning arc i reversed; consecutive arcs share their joining point.
  function decodeArcs(topology) {
    var t = topology.transform;
    return topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) {
        if (!t) { return [p[0], p[1]]; }
        x += p[0]; y += p[1];
        return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
      });
    });
  }

  function ring(arcs, indexes) {
    var points = [];
    indexes.forEach(function (i) {
      var arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      if (points.length) { points.pop(); }
      Array.prototype.push.apply(points, arc);
    });
    return points;
  }

  function geometry(arcs, g) {
    if (g.type === "Polygon") {
      return { type: "Polygon", coordinates: g.arcs.map(function (r) { return ring(arcs, r); }) };
    }
    if (g.type === "MultiPolygon") {
      return {
        type: "MultiPolygon",
        coordinates: g.arcs.map(function (p) { return p.map(function (r) { return ring(arcs, r); }); })
      };
    }
    return null;
  }

  function features(topology) {
    var arcs = decodeArcs(topology);
    var out = [];
    Object.keys(topology.objects).forEach(function (key) {
      var object = topology.objects[key];
      var list = object.type === "GeometryCollection" ? object.geometries : [object];
      list.forEach(function (g) {
        var geo = geometry(arcs, g);
        if (geo && g.id) {
          out.push({ type: "Feature", id: g.id, properties: { name: g.id }, geometry: geo });
        }
      });
    });
    return out;
  }

  // -- drawing ------------------------------------------------------------------------
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

  function draw(el, spec, topology) {
    var byCode = {};
    spec.units.forEach(function (u) { byCode[u.code] = u; });
    var geo = features(topology);
    if (spec.only) {
      geo = geo.filter(function (f) { return Object.prototype.hasOwnProperty.call(byCode, f.id); });
    }
    if (!geo.length) { return; }
    window.echarts.registerMap(spec.name, { type: "FeatureCollection", features: geo });
    var fmt = formatter(spec);
    var known = spec.units.filter(function (u) { return u.value !== null; });
    var values = known.map(function (u) { return u.value; });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (max === min) { max = min + 1; }
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        confine: true,
        formatter: function (p) {
          var u = byCode[p.name];
          return u ? u.name + "\n" + fmt(u.value) : p.name + "\n" + spec.noData;
        }
      },
      visualMap: {
        type: "continuous", min: min, max: max, calculable: true,
        text: [spec.unitLabel, ""], formatter: fmt,
        orient: "vertical", bottom: 8, left: spec.rtl ? "right" : "left",
        inRange: { color: ["#e0f3f8", "#74add1", "#0b5c8a"] }
      },
      series: [{
        type: "map", map: spec.name, name: spec.title, roam: true, selectedMode: false,
        itemStyle: { areaColor: "#d5d9de", borderColor: "#ffffff", borderWidth: 0.6 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#f0b429" } },
        data: known.map(function (u) { return { name: u.code, value: u.value }; })
      }]
    });
    chart.on("click", function (p) {
      var u = byCode[p.name];
      if (u && u.url) { window.location.assign(u.url); }
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
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
