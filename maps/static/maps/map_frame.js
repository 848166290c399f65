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
      for (var k in outline) {
        if (!(k in style) && Object.prototype.hasOwnProperty.call(outline, k)) { style[k] = outline[k]; }
      }
      return style;
    };
  }

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
      set(button.getAttribute("aria-expanded") !== "true");
    });
    container.insertBefore(button, container.firstChild);
    var narrow = window.matchMedia && window.matchMedia(NARROW).matches;
    set(!narrow);
    return button;
  }

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

  function complete() {
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

  window.BackerMap = {
    // work(done): call done() when finished (possibly later, e.g. after
    // markercluster's chunked loading).
    defer: function (work) {
      deferred.push(work);
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

    // FastMarkerCluster callback: rows are [lat, lon] or [lat, lon, label].
    groupMarker: function (colour, themeName) {
      return function (row) {
        var marker = L.circleMarker([row[0], row[1]], {
          radius: 6, color: "#0b0c0c", weight: 1, fillColor: colour, fillOpacity: 0.9
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
