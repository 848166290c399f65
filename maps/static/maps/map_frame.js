/* Behaviour of the map documents built by maps/builders (loaded before the
 * map's own scripts). Keeps the neighbourhood polygons in one layer and
 * restyles it when the user picks another shading, so the geometry is sent
 * once. Text in tooltips was escaped on the server. */
(function () {
  "use strict";

  // A feature's style: its own "style" if it has one, its fill for the chosen
  // shading ("fill_" + shade), and the layer's outline (config.outline) for
  // the rest; the board's neighbourhoods carry only their fills, so the
  // outline is sent once, not once per feature.
  function styleFor(shade, outline) {
    return function (feature) {
      var style = {};
      var base = feature.properties.style || {};
      for (var key in base) {
        if (Object.prototype.hasOwnProperty.call(base, key)) { style[key] = base[key]; }
      }
      var fill = feature.properties["fill_" + shade];
      if (fill) { style.fillColor = fill; }
      // Hatching over the fill, in this colour ("" none): neighbouring IMD
      // deciles that share a colour differ by it (maps/builders/style.py).
      style.backerHatch = feature.properties["hatch_" + shade] || "";
      for (var k in outline) {
        if (!(k in style) && Object.prototype.hasOwnProperty.call(outline, k)) { style[k] = outline[k]; }
      }
      return style;
    };
  }

  // The canvas renderer hatches a path whose options carry backerHatch (a
  // colour): diagonal lines 6 px apart over its fill, at the fill's opacity.
  var hatches = {};
  function hatchPattern(ctx, colour) {
    if (!hatches[colour]) {
      var tile = document.createElement("canvas");
      tile.width = tile.height = 6;
      var t = tile.getContext("2d");
      t.strokeStyle = colour;
      t.lineWidth = 1.5;
      t.beginPath();
      t.moveTo(0, 6); t.lineTo(6, 0);
      t.moveTo(-1, 1); t.lineTo(1, -1);
      t.moveTo(5, 7); t.lineTo(7, 5);
      t.stroke();
      hatches[colour] = tile;
    }
    return ctx.createPattern(hatches[colour], "repeat");
  }
  var fillStroke = L.Canvas.prototype._fillStroke;
  L.Canvas.prototype._fillStroke = function (ctx, layer) {
    var options = layer.options;
    if (options.fill && options.backerHatch) {
      ctx.globalAlpha = options.fillOpacity;
      ctx.fillStyle = options.fillColor || options.color;
      ctx.fill(options.fillRule || "evenodd");
      ctx.fillStyle = hatchPattern(ctx, options.backerHatch);
      ctx.fill(options.fillRule || "evenodd");
      var fill = options.fill;
      options.fill = false;  // filled above: only the outline is left to draw
      fillStroke.call(this, ctx, layer);
      options.fill = fill;
      return;
    }
    fillStroke.call(this, ctx, layer);
  };

  function showLegend(shade) {
    var sections = document.querySelectorAll("[data-legend]");
    for (var i = 0; i < sections.length; i++) {
      var key = sections[i].getAttribute("data-legend");
      sections[i].hidden = !(key === shade || key === "always" || key === "directory");
    }
  }

  // The reference layer's names, as labels on the map: local authorities
  // always, wards from wardZoom on (further out they would overlap). The
  // names were escaped on the server.
  function labelPlaces(map, layer, wardZoom) {
    layer.eachLayer(function (outline) {
      var place = outline.feature.properties;
      outline.bindTooltip(place.name, {
        permanent: true,
        direction: "center",
        interactive: false,
        className: "backer-place-label backer-place-label-" + place.kind
      });
    });
    function zoomed() {
      var shown = map.getZoom() >= wardZoom;
      map.getContainer().classList.toggle("backer-ward-labels", shown);
    }
    map.on("zoomend", zoomed);
    zoomed();
  }

  // The legend and the layer control each fold behind a button (aria-expanded),
  // so neither hides the map for good; both start folded on a narrow frame (a
  // phone, or 200% zoom). The buttons are real <button>s: Tab reaches them,
  // Enter and Space operate them.
  var NARROW = "(max-width: 640px)";
  // On a narrow frame there is room for one open at a time: opening one folds
  // the other, so neither ever lies over the other's controls.
  var folds = [];

  function narrow() {
    return Boolean(window.matchMedia && window.matchMedia(NARROW).matches);
  }

  function foldable(container, body, label, id) {
    body.id = id;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "backer-fold";
    button.setAttribute("aria-controls", id);
    button.textContent = label;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      body.hidden = !open;
      container.classList.toggle("backer-folded", !open);
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      if (open && narrow()) {
        folds.forEach(function (other) { if (other !== set) { other(false); } });
      }
      set(open);
    });
    container.insertBefore(button, container.firstChild);
    set.container = container;
    folds.push(set);
    set(!narrow());
    return button;
  }

  function covers(container, element) {
    var a = container.getBoundingClientRect();
    var b = element.getBoundingClientRect();
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // A control never lies over what has the focus (WCAG 2.4.11): when Tab
  // reaches something under an open control (a cluster, say), it folds.
  function foldOver(target) {
    folds.forEach(function (set) {
      var open = !set.container.classList.contains("backer-folded");
      // The map itself (focused by a click on it) holds the controls: not under them.
      var apart = !set.container.contains(target) && !target.contains(set.container);
      if (open && apart && covers(set.container, target)) {
        set(false);
      }
    });
  }

  // A folded control's button, the zoom buttons or the attribution may still
  // lie over a focused cluster or marker, or it may lie past the frame's edge
  // (markercluster keeps a margin of them beyond the view): the map pans, at
  // once, to put it at the middle of the frame, clear of every corner.
  // True when it panned.
  function revealMarker(target) {
    var map = window.backer && window.backer.map;
    if (!map || !target.closest || !target.closest(".leaflet-marker-pane")) { return false; }
    // The browser has already scrolled the frame to show what took the focus;
    // Leaflet undoes that on the scroll event, after this. Undone first, so
    // what is measured is where the marker will be.
    var container = map.getContainer();
    container.scrollTop = 0;
    container.scrollLeft = 0;
    var box = target.getBoundingClientRect();
    var frame = container.getBoundingClientRect();
    var outside = box.left < frame.left || box.right > frame.right
      || box.top < frame.top || box.bottom > frame.bottom;
    var under = Array.prototype.some.call(
      document.querySelectorAll(".leaflet-control, .backer-legend"),
      function (control) { return !control.contains(target) && covers(control, target); }
    );
    if (!outside && !under) { return false; }
    map.panBy(
      [box.left + box.width / 2 - (frame.left + frame.width / 2),
       box.top + box.height / 2 - (frame.top + frame.height / 2)],
      {animate: false}
    );
    return true;
  }

  // This pan replaces Leaflet's own on a marker's focus (autoPanOnFocus): that
  // one animates, only to the frame's edge (under a corner's control), and
  // ran on past this one. Clusters are markers: they inherit the option.
  L.Marker.prototype.options.autoPanOnFocus = false;

  document.addEventListener("focusin", function (event) {
    foldOver(event.target);
    if (revealMarker(event.target)) {
      foldOver(event.target);  // an open control over the middle, where it now is
    }
  });

  function foldControls(map) {
    var legend = document.querySelector(".backer-legend");
    if (legend && !legend.querySelector(".backer-fold")) {
      var body = document.createElement("div");
      body.className = "backer-fold-body";
      // A scroll region with nothing focusable inside: focusable itself, so
      // a keyboard can scroll it.
      body.tabIndex = 0;
      body.setAttribute("role", "region");
      body.setAttribute("aria-label", "Legend");
      while (legend.firstChild) { body.appendChild(legend.firstChild); }
      legend.appendChild(body);
      foldable(legend, body, "Legend", "backer-legend-body");
      // Clicks and wheel on the legend are the legend's, not the map's.
      if (window.L && L.DomEvent) {
        L.DomEvent.disableClickPropagation(legend);
        L.DomEvent.disableScrollPropagation(legend);
      }
    }
    var layers = map.getContainer().querySelector(".leaflet-control-layers");
    var list = layers && layers.querySelector(".leaflet-control-layers-list");
    if (list && !layers.querySelector(".backer-fold")) {
      foldable(layers, list, "Layers", "backer-layers-body");
    }
  }

  // Work that may wait until the map is shown (the group clusters): queued
  // while the document's scripts run, started after the first frame has
  // painted the neighbourhoods, one task at a time. When the last task is done
  // the document gets data-map-complete="1". data-map-ready="1" means the map
  // and its neighbourhoods are drawn and it answers input; the deferred layers
  // may still be filling in (tests/bench/bench_maps.py reports both).
  var deferred = [];
  var draining = false;

  // Complete means settled too: no zoom animation running. The first fitBounds
  // animates, and while markercluster's zoom animation runs, the clusters of
  // both zoom levels are on the map, one over another: a keyboard could reach
  // a cluster hidden under its own parent, and a screenshot shows both.
  function animating() {
    var map = window.backer && window.backer.map;
    var cluster = map && map._backerCluster;
    return Boolean(map && (map._animatingZoom || (cluster && cluster._inZoomAnimation)));
  }

  function complete() {
    if (animating()) { setTimeout(complete, 50); return; }
    document.documentElement.setAttribute("data-map-complete", "1");
  }

  function drain() {
    if (!deferred.length) { complete(); return; }
    var work = deferred.shift();
    work(function () { setTimeout(drain, 0); });
  }

  function startDeferred() {
    if (draining) { return; }
    draining = true;
    // requestAnimationFrame runs just before the first paint; the timeout
    // after it runs once that frame is on screen.
    var next = window.requestAnimationFrame || function (f) { setTimeout(f, 0); };
    next(function () { setTimeout(drain, 0); });
  }

  // Theme names come HTML-escaped (they also go into tooltips); an attribute
  // wants the text. DOMParser builds an inert document: nothing in it runs.
  function textOf(escaped) {
    return new DOMParser().parseFromString(escaped, "text/html").documentElement.textContent;
  }

  // A DivIcon whose element (the one Leaflet makes a focusable button) carries
  // a name: the number drawn inside it is hidden from assistive technology.
  var NamedIcon = L.DivIcon.extend({
    createIcon: function (oldIcon) {
      var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
      div.setAttribute("aria-label", this.options.label);
      div.setAttribute("title", this.options.label);
      return div;
    }
  });

  // A circle marker drawn as another shape of the same size on the canvas
  // renderer (the maps' renderer: prefer_canvas); a circle elsewhere. Clicks
  // and hovers still use the circle around it, which holds the shape.
  var ShapeMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var renderer = this._renderer;
      var shape = this.options.backerShape;
      if (!renderer || !renderer._ctx || shape === "circle") {
        L.CircleMarker.prototype._updatePath.call(this);
        return;
      }
      if (!renderer._drawing || this._empty()) { return; }
      var ctx = renderer._ctx;
      var p = this._point;
      var r = Math.max(Math.round(this._radius), 1);
      ctx.beginPath();
      if (shape === "square") {
        var h = r * 0.85;
        ctx.rect(p.x - h, p.y - h, 2 * h, 2 * h);
      } else if (shape === "triangle") {
        ctx.moveTo(p.x, p.y - r * 1.1);
        ctx.lineTo(p.x + r, p.y + r * 0.75);
        ctx.lineTo(p.x - r, p.y + r * 0.75);
        ctx.closePath();
      } else {
        ctx.moveTo(p.x, p.y - r * 1.15);
        ctx.lineTo(p.x + r * 1.15, p.y);
        ctx.lineTo(p.x, p.y + r * 1.15);
        ctx.lineTo(p.x - r * 1.15, p.y);
        ctx.closePath();
      }
      renderer._fillStroke(ctx, this);
    }
  });

  // One marker cluster group per map, shared by the themes' layers: a cluster
  // holds every theme's groups near it, and its name says which
  // (BackerMap.clusterIcon).
  function sharedCluster(map, options) {
    if (!map._backerCluster) {
      map._backerCluster = L.markerClusterGroup(options).addTo(map);
    }
    return map._backerCluster;
  }

  // A theme's groups as one layer of the layer control: on the map, its
  // markers are in the shared cluster group; off it, they are taken out.
  var ThemeLayer = L.Layer.extend({
    initialize: function (cluster) {
      this._cluster = cluster;
      this._markers = [];
    },
    onAdd: function () {
      if (this._markers.length) { this._cluster.addLayers(this._markers); }
    },
    onRemove: function () {
      if (this._markers.length) { this._cluster.removeLayers(this._markers); }
    },
    // The markers, made as deferred work; done() once they are all clustered.
    fill: function (markers, done) {
      var cluster = this._cluster;
      this._markers = markers;
      if (!markers.length || !this._map) { done(); return; }
      var finished = false;
      cluster.options.chunkProgress = function (processed, total) {
        if (processed >= total && !finished) {
          finished = true;
          cluster.options.chunkProgress = null;
          done();
        }
      };
      cluster.addLayers(markers);
    }
  });

  window.BackerMap = {
    // work(done): call done() when finished (possibly later, e.g. after
    // markercluster's chunked loading).
    defer: function (work) {
      deferred.push(work);
    },

    themeLayer: function (map, options) {
      return new ThemeLayer(sharedCluster(map, options));
    },

    init: function (config) {
      var current = config.shade;
      function apply(shade) {
        current = shade;
        config.neighbourhoods.setStyle(styleFor(shade, config.outline || {}));
        showLegend(shade);
        document.documentElement.setAttribute("data-shade", shade);
      }
      config.map.on("baselayerchange", function (event) {
        var shade = config.shadeByLayer[event.name];
        if (shade) { apply(shade); }
      });
      apply(current);
      if (config.reference) { labelPlaces(config.map, config.reference, config.wardLabelZoom); }
      foldControls(config.map);
      // For the page's tests and for anyone scripting the frame: the map, its
      // neighbourhood figures and the chosen shading.
      window.backer = {
        map: config.map,
        neighbourhoods: config.neighbourhoods,
        reference: config.reference || null,
        shade: function () { return current; },
        // Only what is on the map: a layer that was never added still holds
        // every feature (issue 10), and a test reading it would see a map.
        properties: function () {
          return config.neighbourhoods.getLayers().filter(function (layer) {
            return config.map.hasLayer(layer);
          }).map(function (layer) {
            return layer.feature.properties;
          });
        }
      };
      // Ready means drawn: the canvas renderer paints the added polygons in
      // its next animation frame, so the flag is set in the frame after
      // that, and never while the shading is off the map (the benchmarks and
      // tests wait for it; issue 10 measured maps with nothing drawn).
      config.map.whenReady(function () {
        var next = window.requestAnimationFrame || function (f) { setTimeout(f, 0); };
        next(function () {
          if (config.map.hasLayer(config.neighbourhoods)) {
            document.documentElement.setAttribute("data-map-ready", "1");
          }
          startDeferred();
        });
      });
    },

    // iconCreateFunction of the group clusters: markercluster's own icon, but
    // named by what it holds ("3 groups: Food, Older people"), not by a bare
    // number, for screen readers and voice control (WCAG 4.1.2, 2.5.3). A
    // group with two themes is one group, though it is a marker in each.
    clusterIcon: function (cluster) {
      var markers = cluster.getAllChildMarkers();
      var seen = {};
      var groups = 0;
      var themes = [];
      for (var i = 0; i < markers.length; i++) {
        var options = markers[i].options;
        if (!seen[options.backerKey]) { seen[options.backerKey] = true; groups += 1; }
        var theme = textOf(options.backerTheme || "");
        if (theme && themes.indexOf(theme) === -1) { themes.push(theme); }
      }
      // The number drawn is the groups too, not the markers.
      var count = groups;
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var label = groups + (groups === 1 ? " group" : " groups") +
        (themes.length ? ": " + themes.sort().join(", ") : "");
      return new NamedIcon({
        html: "<div><span aria-hidden=\"true\">" + count + "</span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: new L.Point(40, 40),
        label: label
      });
    },

    // FastMarkerCluster callback: rows are [lat, lon] or [lat, lon, label].
    // shape: one of maps/builders/style.py THEME_SHAPES, so a theme is told
    // by its shape as well as its colour (WCAG 1.4.1).
    groupMarker: function (colour, themeName, shape) {
      return function (row) {
        var marker = new ShapeMarker([row[0], row[1]], {
          backerShape: shape || "circle",
          radius: 6, color: "#0b0c0c", weight: 1, fillColor: colour, fillOpacity: 0.9,
          // Read by clusterIcon to name the cluster by what it holds.
          backerTheme: themeName, backerKey: row.join("|")
        });
        // Bound on first hover, not up front: a tooltip per marker is most of
        // the cost of showing thousands of them.
        marker.once("mouseover", function () {
          var label = row.length > 2 ? row[2] + "<br>" + themeName : themeName;
          marker.bindTooltip(label).openTooltip();
        });
        return marker;
      };
    }
  };
})();
