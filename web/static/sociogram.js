/* The sociogram page (web/sociogram.py): fetch /api/sociogram, lay it out with D3's force layout, draw it as SVG.
 *
 * Node size follows the chosen measure (area ∝ value), colour the agency's category (complexes dark);
 * line width the frequency level, dash pattern the first recorded content type. Filters hide links
 * (and the agencies left without a visible link); clicking a node shows only its links.
 * Every text from the data goes in through textContent (d3's .text()), never as HTML.
 * When done, <body data-sociogram="drawn" data-timing='{"json":…,"layout":…,"drawn":…}'> (ms since navigation).
 */
(function () {
  "use strict";

  var BIG = 1500;          // nodes above which the layout runs a fixed number of ticks before the first draw
  var LABELS_UP_TO = 80;   // nodes up to which every node is labelled

  function words(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function start() {
    var filters = document.getElementById("sociogram-filters");
    if (filters && window.innerWidth < 600) { filters.open = false; }  // a phone sees the drawing first
    var frame = document.getElementById("sociogram");
    var status = document.getElementById("sociogram-status");
    var config = JSON.parse(document.getElementById("sociogram-config").textContent);
    var t0 = performance.now();
    fetch(frame.dataset.url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var tJson = performance.now();
        draw(frame, status, config, data, {json: tJson, fetch: tJson - t0});
      })
      .catch(function (error) {
        if (window.console) { console.error(error); }
        status.textContent = config.words.loading_failed;
        document.body.dataset.sociogram = "failed";
      });
  }

  function draw(frame, status, config, data, timing) {
    var words_ = config.words;
    var nodes = data.nodes, links = data.links;
    var byId = {};
    nodes.forEach(function (n, i) { byId[n.id] = n; n.index = i; n.links = []; });
    links.forEach(function (l) {
      l.source = byId[l.source]; l.target = byId[l.target];
      l.source.links.push(l); l.target.links.push(l);
      l.main = (l.content_types && l.content_types.length) ? l.content_types[0] : "";
    });
    if (!links.length) { status.textContent = words_.empty; }

    var width = frame.clientWidth || 800;
    var height = Math.max(360, Math.min(window.innerHeight * 0.75, width * 0.9));
    var big = nodes.length > BIG;
    seed(nodes, width, height, frame.dataset.focus);

    var t1 = performance.now();
    // Distances follow the frame: a star of 13 partners spreads over a phone's width as over a desktop's.
    var side = Math.min(width, height), n = nodes.length;
    var small = n <= 200;
    var force = d3.layout.force()
      .nodes(nodes).links(links).size([width, height])
      .linkDistance(big ? 18 : small ? side * (data.counts.complexes === 1 ? 0.36 : 0.18) : 30)
      .linkStrength(big ? 0.4 : 0.7)
      .charge(big ? 0 : small ? -Math.max(60, Math.min(800, width * height / (n * 6))) : -40)
      .gravity(big ? 0.02 : 0.05)
      .friction(big ? 0.6 : 0.85);
    force.start();
    var ticks = big ? 60 : 300;
    for (var i = 0; i < ticks; i++) {
      var done = force.tick();
      // The whole country: D3's all-pairs repulsion (Barnes–Hut) costs ~25–50 ms a tick for 6,000 nodes;
      // nodes seeded at their places only need pushing off their close neighbours.
      if (big) { spread(nodes, 7); }
      if (done) { break; }
    }
    force.stop();
    var tLayout = performance.now() - t1;

    var svg = d3.select(frame).append("svg")
      .attr("class", "sociogram").attr("width", "100%").attr("height", height)
      .attr("viewBox", "0 0 " + width + " " + height);
    var view = svg.append("g");
    var zoom = d3.behavior.zoom().scaleExtent([0.2, 12]).on("zoom", function () {
      view.attr("transform", "translate(" + d3.event.translate + ")scale(" + d3.event.scale + ")");
    });
    svg.call(zoom).on("dblclick.zoom", null);
    svg.on("click", function () { if (d3.event.target === svg.node()) { focus(null); } });

    var thin = big ? 0.45 : 1;
    var line = view.append("g").attr("class", "links").selectAll("line").data(links).enter().append("line")
      .attr("class", "link")
      .attr("data-level", function (l) { return l.level; })
      .attr("data-content", function (l) { return l.main; })
      .attr("stroke-width", function (l) { return thin * (0.6 + 0.9 * (l.level || 1)); })
      .attr("stroke", function (l) { return config.content_colors[l.main] || config.no_content_color; })
      .attr("stroke-dasharray", function (l) {
        return l.main ? (config.dashes[l.main] || "") : config.no_content_dash;
      });
    var colour = function (n) {
      if (n.kind === "complex") { return config.complex_color; }
      return config.category_colors[n.category] || config.uncategorised_color;
    };
    var node = view.append("g").attr("class", "nodes").selectAll("circle").data(nodes).enter().append("circle")
      .attr("class", function (n) { return "node " + n.kind; })
      .attr("data-id", function (n) { return n.id; })
      .attr("fill", colour)
      .on("click", function (n) { d3.event.stopPropagation(); focus(n); });
    if (!big) {  // dragging restarts the layout: smooth for a district, seconds of work for the whole country
      node.call(force.drag().on("dragstart", function () { d3.event.sourceEvent.stopPropagation(); }));
    }
    node.append("title");
    var label = view.append("g").attr("class", "labels").selectAll("text")
      .data(nodes.length <= LABELS_UP_TO ? nodes : nodes.filter(function (n) {
        return n.id === frame.dataset.focus || (n.kind === "complex" && data.counts.complexes <= LABELS_UP_TO / 2);
      }))
      .enter().append("text").attr("class", "label").text(function (n) { return n.label; });

    function place() {
      line.attr("x1", function (l) { return l.source.x; }).attr("y1", function (l) { return l.source.y; })
        .attr("x2", function (l) { return l.target.x; }).attr("y2", function (l) { return l.target.y; });
      node.attr("cx", function (n) { return n.x; }).attr("cy", function (n) { return n.y; });
      label.attr("x", function (n) { return n.x + n.r + 2; }).attr("y", function (n) { return n.y + 4; });
    }
    force.on("tick", place);

    // --- node size by the chosen measure -------------------------------------------------------
    var measure = document.getElementById("measure");
    var explain = document.getElementById("measure-explain");
    function resize() {
      var key = measure.value, top = 0;
      nodes.forEach(function (n) { top = Math.max(top, n[key] || 0); });
      var low = big ? 1.5 : 4, high = big ? 9 : Math.max(10, Math.min(22, side / 22));
      nodes.forEach(function (n) { n.r = low + (top > 0 ? (high - low) * Math.sqrt((n[key] || 0) / top) : 0); });
      node.attr("r", function (n) { return n.r.toFixed(2); });
      var info = config.measures.filter(function (m) { return m.key === key; })[0];
      explain.textContent = info.label + ": " + info.explain;
      node.select("title").text(function (n) {
        var kind = n.kind === "complex" ? words_.complex : (n.category || words_.agency);
        return n.label + " (" + kind + ") · " + info.label + " " + (n[key] || 0);
      });
      label.attr("x", function (n) { return n.x + n.r + 2; });
    }
    measure.addEventListener("change", resize);

    // --- filters ---------------------------------------------------------------------------------
    var form = document.getElementById("sociogram-controls");
    var depthBox = document.getElementById("depth-filter");
    (data.depths || []).forEach(function (d) {
      var item = document.createElement("label");
      item.className = "inline";
      var input = document.createElement("input");
      input.type = "checkbox"; input.name = "depth"; input.value = d; input.checked = true;
      item.appendChild(input);
      item.appendChild(document.createTextNode(" " + (config.depths[d] || d)));
      depthBox.appendChild(item);
    });
    if (data.depths && data.depths.length) {
      var none = document.createElement("label"), noneBox = document.createElement("input");
      none.className = "inline";
      noneBox.type = "checkbox"; noneBox.name = "depth"; noneBox.value = ""; noneBox.checked = true;
      none.appendChild(noneBox);
      none.appendChild(document.createTextNode(" " + words_.no_depth));
      depthBox.appendChild(none);
      depthBox.hidden = false;
    }
    function checked(name) {
      var out = {};
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { out[box.value] = box.checked; });
      return out;
    }
    var focused = null;
    function apply() {
      var minLevel = +document.getElementById("min-level").value;
      var content = checked("content"), category = checked("category"), depth = checked("depth");
      var visible = {};
      links.forEach(function (l) {
        var a = l.target;
        var show = (l.level || 0) >= minLevel
          && (l.content_types.length ? l.content_types.some(function (c) { return content[c]; }) : content[""])
          && (category[a.category] !== false)
          && (!data.depths.length || depth[l.depth || ""] !== false)
          && (!focused || l.source === focused || l.target === focused);
        l.shown = show;
        if (show) { visible[l.source.id] = true; visible[a.id] = true; }
      });
      nodes.forEach(function (n) {
        n.shown = focused ? !!visible[n.id] || n === focused
          : (n.kind === "complex" || !!visible[n.id]);
      });
      line.classed("hidden", function (l) { return !l.shown; });
      node.classed("hidden", function (n) { return !n.shown; });
      label.classed("hidden", function (n) { return !n.shown; });
      var c = 0, a = 0, k = 0;
      nodes.forEach(function (n) { if (n.shown) { if (n.kind === "complex") { c++; } else { a++; } } });
      links.forEach(function (l) { if (l.shown) { k++; } });
      status.textContent = words(words_.shown, {c: c.toLocaleString(), a: a.toLocaleString(), l: k.toLocaleString()});
    }
    form.addEventListener("change", function (event) { if (event.target !== measure) { apply(); } });

    // --- focus on one node -------------------------------------------------------------------------
    var focusBar = document.getElementById("sociogram-focus");
    var focusList = document.getElementById("focus-list");
    function focus(n) {
      focused = n;
      node.classed("focused", function (m) { return m === n; });
      focusList.textContent = "";
      if (n) {
        focusBar.querySelector("span").textContent = words(words_.focus, {name: n.label});
        var head = document.createElement("li");
        var open = document.createElement("a");
        open.href = (n.kind === "complex" ? config.complex_url : config.agency_url).replace("{id}", n.ref);
        open.textContent = n.kind === "complex" ? words_.open_complex : words_.open_agency;
        head.appendChild(open);
        focusList.appendChild(head);
        n.links.slice().sort(function (x, y) { return (y.level || 0) - (x.level || 0); }).forEach(function (l) {
          var other = l.source === n ? l.target : l.source;
          var level = config.levels.filter(function (v) { return v.level === l.level; })[0];
          var li = document.createElement("li");
          li.textContent = other.label + " — " + (level ? level.mark + " " + level.label : "")
            + (l.main ? " · " + labelOf(config.content_types, l.main) : "")
            + (l.depth ? " · " + (config.depths[l.depth] || l.depth) : "");
          focusList.appendChild(li);
        });
      }
      focusBar.hidden = focusList.hidden = !n;
      apply();
    }
    document.getElementById("focus-reset").addEventListener("click", function () { focus(null); });

    // Fit the laid-out network into the frame (a layout may drift past its edges); zooming starts from here.
    function fit() {
      var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      nodes.forEach(function (d) {  // the circles' edges, not their centres (resize() has set the radii)
        var r = d.r || 0;
        x0 = Math.min(x0, d.x - r); x1 = Math.max(x1, d.x + r); y0 = Math.min(y0, d.y - r); y1 = Math.max(y1, d.y + r);
      });
      if (!isFinite(x0)) { return; }
      if (label.size()) { x1 += 80; }  // room for the labels, written to the right of their nodes
      var pad = 16, k = Math.min(1.5, (width - 2 * pad) / ((x1 - x0) || 1), (height - 2 * pad) / ((y1 - y0) || 1));
      var tx = width / 2 - k * (x0 + x1) / 2, ty = height / 2 - k * (y0 + y1) / 2;
      zoom.scale(k).translate([tx, ty]);
      view.attr("transform", "translate(" + tx + "," + ty + ")scale(" + k + ")");
    }
    resize();
    fit();
    place();
    apply();
    if (!big) { force.alpha(0.02); }  // a small graph keeps settling gently, and can be dragged
    var drawn = performance.now();
    requestAnimationFrame(function () {
      document.body.dataset.timing = JSON.stringify({json: timing.json, fetch: timing.fetch, layout: tLayout,
                                                     drawn: performance.now(), script: drawn - timing.json});
      document.body.dataset.sociogram = "drawn";
    });
  }

  // Push apart nodes closer than `gap` pixels, half the overlap each. Neighbours come from a grid of
  // gap-sized cells (D3 3's quadtree takes ~16 ms just to build for 6,000 nodes; the grid ~1 ms).
  function spread(nodes, gap) {
    var cells = new Map();
    var key = function (cx, cy) { return cx * 100003 + cy; };
    nodes.forEach(function (a) {
      var k = key(Math.floor(a.x / gap), Math.floor(a.y / gap));
      var list = cells.get(k);
      if (list) { list.push(a); } else { cells.set(k, [a]); }
    });
    nodes.forEach(function (a) {
      var cx = Math.floor(a.x / gap), cy = Math.floor(a.y / gap);
      for (var i = -1; i <= 1; i++) {
        for (var j = -1; j <= 1; j++) {
          var list = cells.get(key(cx + i, cy + j));
          if (!list) { continue; }
          for (var m = 0; m < list.length; m++) {
            var b = list[m];
            if (b.index <= a.index) { continue; }  // each pair once
            var dx = a.x - b.x, dy = a.y - b.y, d = Math.sqrt(dx * dx + dy * dy);
            if (d >= gap) { continue; }
            if (d === 0) { dx = (a.index % 3) - 1 || 0.5; dy = (b.index % 5) - 2 || 0.5; d = Math.sqrt(dx * dx + dy * dy); }
            var push = (gap - d) / d * 0.25;
            a.x += dx * push; a.y += dy * push; b.x -= dx * push; b.y -= dy * push;
          }
        }
      }
    });
  }

  function labelOf(list, code) {
    var found = list.filter(function (c) { return c.code === code; })[0];
    return found ? found.label : code;
  }

  // Start positions: the places on the map (squeezed into the frame) so districts begin apart and the
  // layout settles in few ticks; without a place, a ring around the focus (or the middle).
  function seed(nodes, width, height, focusId) {
    var placed = nodes.filter(function (n) { return n.lat != null && n.lon != null; });
    var focus = null;
    nodes.forEach(function (n) { if (n.id === focusId) { focus = n; } });
    if (focus || placed.length < 2) {
      ring(nodes, width, height, focus);
      return;
    }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    placed.forEach(function (n) {
      var x = n.lon * Math.cos(n.lat * Math.PI / 180), y = -n.lat;
      n.x = x; n.y = y;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    });
    var pad = 20, scale = Math.min((width - 2 * pad) / ((x1 - x0) || 1), (height - 2 * pad) / ((y1 - y0) || 1));
    var jitter = 0;
    placed.forEach(function (n) {
      jitter = (jitter * 9301 + 49297) % 233280;  // a fixed sequence: the same drawing every time
      n.x = pad + (n.x - x0) * scale + (jitter / 233280 - 0.5) * 6;
      n.y = pad + (n.y - y0) * scale + ((jitter * 7 % 233280) / 233280 - 0.5) * 6;
    });
    nodes.forEach(function (n, i) {
      if (n.x == null || isNaN(n.x)) { n.x = width / 2 + Math.cos(i) * 30; n.y = height / 2 + Math.sin(i) * 30; }
    });
  }

  function ring(nodes, width, height, focus) {
    var cx = width / 2, cy = height / 2, r = Math.min(width, height) * 0.32;
    var others = nodes.filter(function (n) { return n !== focus; });
    others.sort(function (a, b) {
      return (a.kind === b.kind ? 0 : a.kind === "complex" ? 1 : -1) || String(a.category).localeCompare(String(b.category));
    });
    others.forEach(function (n, i) {
      var angle = 2 * Math.PI * i / Math.max(others.length, 1);
      var rr = n.kind === "complex" && focus ? r * 1.45 : r;
      n.x = cx + rr * Math.cos(angle); n.y = cy + rr * Math.sin(angle);
    });
    if (focus) { focus.x = focus.px = cx; focus.y = focus.py = cy; focus.fixed = true; }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
