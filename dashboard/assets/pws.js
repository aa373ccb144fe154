/* PWS-ILP map: browser-side drawing functions used by dash-leaflet components.
 *
 * Village polygons arrive once (geobuf, cacheable URL). Each village's Leaflet layer is
 * kept in pws.layers by its code, so a new week or layer only sends {code: [class, label]}
 * and is applied here with setStyle, without rebuilding any polygon. The villages of the
 * scan's significant clusters (or a plan's villages) are outlined the same way
 * ({code: colour} per source, applyOutline).
 * Overlay points (facilities, ...) are drawn by pointMarker from their class index and the
 * overlay's classes, which the page passes as the GeoJSON's hideout.
 */
window.pws = Object.assign(window.pws || {}, {
    layers: {},
    current: null,
    // source ("scan", a planning tool, ...) -> {villages: {kode: colour}, dash} outlined
    outlines: {},

    villageStyle: function (feature) {
        // Leaflet styles a feature before onEachFeature registers it: pass its properties
        return window.pws.styleFor(feature.properties.kode, feature.properties);
    },

    styleFor: function (kode, props) {
        var style = window.pws.fillFor(kode, props);
        var out = window.pws.outlineOf(kode);
        if (out) {  // e.g. a village of a significant cluster: thick coloured stroke
            Object.assign(style, {weight: 4, color: out.villages[kode], opacity: 1,
                                  dashArray: out.dash || null});
        }
        if (kode === window.pws.selected) {  // the village whose panel is open
            Object.assign(style, {weight: 4, color: "#000000", opacity: 1, dashArray: "6 3"});
        }
        return style;
    },

    selected: null,

    selectedFrom: function (click, close) {
        // the village whose panel is open: the clicked one, none after the close button
        var trig = window.dash_clientside.callback_context.triggered;
        if (trig.length && trig[0].prop_id === "panel-close.n_clicks") { return null; }
        if (click && click.properties && click.properties.lvl) {  // a region: it zooms
            return window.dash_clientside.no_update;
        }
        return click && click.properties ? click.properties.kode : null;
    },

    select: function (kode) {
        var before = window.pws.selected;
        window.pws.selected = kode || null;
        var layers = window.pws.layers;
        [before, window.pws.selected].forEach(function (k) {
            if (k && layers[k]) { window.pws.restyle(k); }
        });
        if (kode && layers[kode] && layers[kode]._map) { layers[kode].bringToFront(); }
        var close = document.getElementById("panel-close");
        if (close) { close.style.display = kode ? "" : "none"; }
        // bring the panel into view inside the side area only (scrollIntoView would scroll
        // the whole page too, hiding the header and controls)
        var wrap = document.getElementById("panel-wrap");
        var side = wrap && wrap.closest(".pws-side");
        if (kode && side) {
            side.scrollTo({top: wrap.offsetTop - side.offsetTop, behavior: "smooth"});
        }
        return kode || null;
    },

    keepView: function (layer, period, kec, opts, desa, lang) {
        // the view in the URL (a link reproduces it) and in the language link, without
        // a navigation: history.replaceState does not reach dcc.Location
        var q = new URLSearchParams();
        q.set("lang", lang || "id");
        if (layer) { q.set("layer", layer); }
        if (period) { q.set("period", period); }
        if (kec) { q.set("kec", kec); }
        if (desa) { q.set("desa", desa); }
        var render = new URLSearchParams(window.location.search).get("render");
        if (render) { q.set("render", render); }  // a forced renderer stays forced
        var items = window.dash_clientside.callback_context.inputs_list[3] || [];
        items.forEach(function (item) {
            if (item.id.layer !== layer || item.value === undefined || item.value === null) {
                return;
            }
            var v = Array.isArray(item.value) ? (item.value.indexOf("on") >= 0 ? "1" : "0")
                : String(item.value);
            q.set("opt_" + item.id.name, v);
        });
        var search = "?" + q.toString();
        if (window.location.search !== search) {
            window.history.replaceState(window.history.state, "", window.location.pathname + search);
        }
        var link = document.getElementById("lang-switch");
        if (link) {
            q.set("lang", link.getAttribute("lang") || (lang === "en" ? "id" : "en"));
            link.setAttribute("href", window.location.pathname + "?" + q.toString());
        }
        return search;
    },

    restyle: function (kode, style, canvases) {
        // a village's style (``style`` when the caller has it), written only where it differs
        // from the one drawn: a week change leaves many villages' class as it was and, on
        // SVG, changes only the fill of the others, one attribute instead of Leaflet's ten
        // (every attribute written costs the browser style work: Jawa Timur has 8,494 paths)
        var layer = window.pws.layers[kode];
        var s = style || window.pws.styleFor(kode);
        // a style shared by a class (applyValues) makes its string once, not per village
        var rest = s._rest || (s._rest = window.pws.restOf(s));
        if (layer._pwsRest === rest) {
            if (layer._pwsFill === s.fillColor) { return false; }
            layer._pwsFill = s.fillColor;
            if (layer._path && layer._renderer instanceof L.SVG) {
                layer.options.fillColor = s.fillColor;
                layer._path.setAttribute("fill", s.fillColor);
                return true;
            }
            if (canvases && layer._renderer instanceof L.Canvas) {
                // on a canvas a new fill is only an option and a redraw, which the caller
                // asks once for the whole canvas (setStyle also recomputes the polygon's
                // pixel bounds and extends the redraw area, per village)
                layer.options.fillColor = s.fillColor;
                canvases[L.stamp(layer._renderer)] = layer._renderer;
                return true;
            }
        }
        layer._pwsRest = rest;
        layer._pwsFill = s.fillColor;
        layer.setStyle(s);
        return true;
    },

    restOf: function (s) {
        // all of a style but its fill, as a string (restyle compares it)
        return s.fillOpacity + "|" + s.weight + "|" + s.color + "|" + s.opacity + "|" + s.dashArray;
    },

    redrawCanvases: function (canvases) {
        // one redraw of each canvas whose villages changed fill (restyle): the redraw area
        // is the renderer's whole box, which later requests in the same frame keep
        for (var id in canvases) {
            var r = canvases[id];
            if (r._map && r._bounds) {
                r._extendRedrawBounds({_pxBounds: r._bounds, options: {weight: 0}});
                r._redrawRequest = r._redrawRequest || L.Util.requestAnimFrame(r._redraw, r);
            }
        }
    },

    fillFor: function (kode, props) {
        var cur = window.pws.current;
        var base = {weight: 0.6, color: "#555555", opacity: 1, fillOpacity: 0.85,
                    dashArray: null};
        if (!cur) {
            return Object.assign(base, {fillColor: "#eeeeee", fillOpacity: 0.6});
        }
        if (!props) {
            var layer = window.pws.layers[kode];
            props = layer && layer.feature ? layer.feature.properties : {};
        }
        if (props.lvl) {  // a province, kabupaten or kecamatan: its aggregated class
            var agg = (cur._agg || {})[props.lvl] || {};
            var ch = agg[kode];
            if (ch === undefined || ch === ".") {
                return Object.assign(base, {fillColor: "#f4f4f4", fillOpacity: 0.25});
            }
            var aggColor = ch === "-" ? cur.agg.no_data : cur.agg.colors[parseInt(ch, 36)];
            return Object.assign(base, {fillColor: aggColor, weight: 1.2, color: "#333333"});
        }
        var c = cur.k.charAt(props.i);
        if (c === "." || c === "") {  // outside the filter
            return Object.assign(base, {fillColor: "#f4f4f4", fillOpacity: 0.25, weight: 0.3});
        }
        return Object.assign(base, {fillColor: c === "-" ? cur.no_data : cur.colors[parseInt(c, 36)]});
    },

    labelOf: function (props) {
        // a region's label comes with the values; a village's from the labels URL, loaded
        // after painting (or now, on the first hover): "…" until it arrives
        var cur = window.pws.current;
        if (!cur) { return undefined; }
        if (props.lvl) {
            var lab = (cur._aggLabels || {})[props.lvl] || {};
            return lab[props.kode];
        }
        var c = cur.k.charAt(props.i);
        if (c === "." || c === "") { return undefined; }
        var labels = window.pws.labels;
        if (labels.url === cur.labels && labels.list) { return labels.list[props.i]; }
        window.pws.loadLabels();
        return "…";
    },

    labels: {url: null, list: null, pending: null},

    loadLabels: function () {
        var cur = window.pws.current;
        var labels = window.pws.labels;
        if (!cur || !cur.labels || labels.pending === cur.labels || labels.url === cur.labels) {
            return;
        }
        var url = cur.labels;
        labels.pending = url;
        fetch(url, {credentials: "same-origin"}).then(function (r) {
            return r.ok ? r.json() : null;
        }).then(function (list) {
            if (labels.pending !== url) { return; }  // a newer week was chosen meanwhile
            labels.pending = null;
            if (!list) { return; }
            labels.url = url;
            labels.list = list;
            // refresh the tooltip being read (its text is built again from the labels)
            var group = window.pws.levelState && window.pws.levelState.group;
            if (group && group.isTooltipOpen && group.isTooltipOpen()) {
                group.getTooltip().update();
            }
        }).catch(function () { labels.pending = null; });
    },

    tooltipFor: function (props) {
        var esc = window.pws.escape;
        var html = "<b>" + esc(props.nama) + "</b>";
        if (props.kec) { html += "<br>" + esc(props.kec_label) + " " + esc(props.kec); }
        var label = window.pws.labelOf(props);
        if (label !== undefined && label !== null) {
            // a layer's label joins its facts with " · ": one line each, the first in bold
            var parts = String(label).split(" · ");
            html += "<br><span class='pws-tip-value'>" + esc(parts[0]) + "</span>";
            for (var i = 1; i < parts.length; i++) { html += "<br>" + esc(parts[i]); }
        }
        return html;
    },

    escape: function (s) {
        return String(s === undefined || s === null ? "" : s)
            .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    },

    onEachVillage: function (feature, layer) {
        // per polygon only what is its own: the hover, tooltip and click handlers are bound
        // once on its group (bindGroup). Binding them per polygon cost ~40% of drawing
        // Jawa Timur's 8,494 villages (Leaflet's on() splits and trims its event names)
        var kode = feature.properties.kode;
        window.pws.layers[kode] = layer;
        // styled by villageStyle already: what restyle compares with (else the first week
        // change would set every style in full)
        layer._pwsRest = window.pws.restOf(layer.options);
        layer._pwsFill = layer.options.fillColor;
        var lvl = feature.properties.lvl;
        layer.options.className = lvl ? "pws-wilayah pws-wilayah-" + lvl : "pws-desa";
        var st = window.pws.levelState;
        if (!st || !st.group || !st.map) {  // the page's first polygons: the group attaches
            layer.once("add", function () { window.pws.attachGroup(layer); });
        }
    },

    attachGroup: function (layer) {
        // the first polygon on the map: its group gets the handlers, the level manager its
        // map and group (pws_levels.js)
        var map = layer._map;
        if (window.pws.attachLevels) { window.pws.attachLevels(map, layer); }
        if (window.pws.batchCanvas) { window.pws.batchCanvas(layer._renderer); }  // pws_canvas.js
        for (var id in layer._eventParents) { window.pws.bindGroup(layer._eventParents[id]); }
        if (!map || map._pwsSizeWatched) { return; }
        // the map's box changes when the option controls wrap to another row: Leaflet
        // only follows window resizes, so it is told (else the map leaves a grey band)
        map._pwsSizeWatched = true;
        new ResizeObserver(function () { map.invalidateSize({pan: false}); })
            .observe(map.getContainer());
    },

    bindGroup: function (group) {
        // one tooltip, hover and click handler for all the group's polygons: Leaflet passes a
        // polygon's events on to its group with the polygon as propagatedFrom
        if (group._pwsBound) { return; }
        group._pwsBound = true;
        var of = function (e) { return e.propagatedFrom || e.layer; };
        group.bindTooltip(function (layer) {
            return window.pws.tooltipFor(layer.feature.properties);
        }, {sticky: true, className: "pws-tooltip"});
        group.on("mouseover", function (e) {
            var layer = of(e);
            if (!layer || !layer.feature) { return; }
            // hover thickens the stroke; a selected or outlined village keeps its colour
            var base = window.pws.styleFor(layer.feature.properties.kode);
            var marked = base.weight >= 4;
            layer.setStyle(marked ? {weight: base.weight + 1} : {weight: 2.5, color: "#111111"});
            layer._pwsRest = null;  // not the style restyle() wrote
        });
        group.on("mouseout", function (e) {
            var layer = of(e);
            if (layer && layer.feature) { window.pws.restyle(layer.feature.properties.kode); }
        });
        group.on("click", function (e) {  // a region: a click zooms into it (drill-down)
            var layer = of(e);
            if (layer && layer.feature && layer.feature.properties.lvl && layer._map) {
                layer._map.fitBounds(layer.getBounds(), {padding: [16, 16]});
            }
        });
    },

    confirmed: null,

    applyValues: function (data, fromDash) {
        if (!data) { return window.dash_clientside.no_update; }
        var before = window.pws.current;
        if (fromDash) { window.pws.confirmed = data.stamp; }  // with its legend (tests wait)
        if (before && before.stamp === data.stamp && before.labels === data.labels) {
            // painted already (from the values route): the same classes, nothing to restyle
            if (data.inputs) { before.inputs = data.inputs; }
            return {applied: Object.keys(window.pws.layers).length, stamp: data.stamp};
        }
        // the aggregated levels as lookups: region code -> class character / label
        data._agg = {};
        data._aggLabels = {};
        var levels = (data.agg && data.agg.levels) || {};
        Object.keys(levels).forEach(function (lvl) {
            var one = levels[lvl], map = {}, lab = {};
            for (var j = 0; j < one.codes.length; j++) {
                map[one.codes[j]] = one.k.charAt(j);
                lab[one.codes[j]] = one.labels[j];
            }
            data._agg[lvl] = map;
            data._aggLabels[lvl] = lab;
        });
        window.pws.current = data;
        // the villages' tooltip texts follow once the new colours are painted, then the
        // neighbouring periods
        setTimeout(function () { window.pws.loadLabels(); }, 300);
        if (window.pws.prefetchNear) { window.pws.prefetchNear(); }  // pws_periods.js
        var pws = window.pws, layers = pws.layers, byClass = {}, n = 0, canvases = {};
        for (var kode in layers) {
            var props = layers[kode].feature ? layers[kode].feature.properties : null;
            if (props && !props.lvl && kode !== pws.selected && !pws.outlineOf(kode)) {
                // a plain village's style depends on its class only: made once per class
                var c = data.k.charAt(props.i);
                pws.restyle(kode, byClass[c] || (byClass[c] = pws.fillFor(kode, props)),
                            canvases);
            } else {
                pws.restyle(kode);
            }
            n++;
        }
        pws.redrawCanvases(canvases);
        return {applied: n, stamp: data.stamp};
    },

    outlineOf: function (kode) {
        // the first source that outlines this village (sources are kept in insertion order)
        var outlines = window.pws.outlines;
        for (var source in outlines) {
            if (outlines[source] && outlines[source].villages[kode]) { return outlines[source]; }
        }
        return null;
    },

    applyOutline: function (data, source) {
        // data: {villages: {kode: colour}, dash, stamp} or null (clear this source's strokes);
        // a legend row with id "legend-<source>" is shown while the source outlines anything
        source = source || "scan";
        var before = window.pws.outlines[source];
        window.pws.outlines[source] = data && data.villages ? data : null;
        var shown = window.pws.outlines[source];
        var key = document.getElementById("legend-" + source);
        if (key) { key.style.display = shown ? "" : "none"; }
        var layers = window.pws.layers;
        // only the villages this source outlined or outlines now can change
        var touched = Object.assign({}, before ? before.villages : {}, shown ? shown.villages : {});
        var n = 0;
        for (var kode in touched) {
            if (!layers[kode]) { continue; }
            window.pws.restyle(kode);
            if (shown && shown.villages[kode]) {
                if (layers[kode]._map) { layers[kode].bringToFront(); }  // stroke not hidden
                n++;
            }
        }
        return {outlined: n, stamp: data ? data.stamp : null};
    },

    leafletMap: function () {
        var layers = window.pws.layers;
        for (var kode in layers) {
            if (layers[kode]._map) { return layers[kode]._map; }
        }
        return null;
    },

    zoomTo: function (data) {
        // data.bounds: [[south, west], [north, east]], computed by the server
        var map = window.pws.leafletMap();
        if (!data || !data.bounds || !map) { return window.dash_clientside.no_update; }
        // the legend's corner is left free, as when the page fits a region (peta.FIT_PADDING)
        map.flyToBounds(data.bounds, {paddingTopLeft: [24, 24], paddingBottomRight: [290, 24],
                                      maxZoom: 15, duration: 0.6});
        return data.click;
    },

    svgPoint: function () {
        // a point drawn by its map's own SVG renderer in the points' pane, even on a map that
        // prefers a canvas (Leaflet picks a path's renderer from options.renderer when added)
        if (!window.pws._SvgPoint) {
            window.pws._SvgPoint = L.CircleMarker.extend({
                beforeAdd: function (map) {
                    if (!map._pwsPointSvg) { map._pwsPointSvg = L.svg({pane: "titik"}); }
                    this.options.renderer = map._pwsPointSvg;
                    L.CircleMarker.prototype.beforeAdd.call(this, map);
                }
            });
        }
        return window.pws._SvgPoint;
    },

    kecamatanStyle: function () {
        return {weight: 2.2, color: "#222222", opacity: 0.9, fill: false, dashArray: null};
    },

    pointMarker: function (feature, latlng, context) {
        // an overlay point (layers/overlays.py): its class k picks the look from hideout.
        // Always an SVG path, in its pane over the villages: a canvas there would take every
        // mouse event from the villages' canvas below it (SVG's root lets them through)
        var style = (context && context.hideout) || {classes: [], details: []};
        var p = feature.properties;
        var cls = style.classes[p.k] || {key: "x", color: "#777777", radius: 3, opacity: 0.9, label: ""};
        var esc = window.pws.escape;
        var marker = new (window.pws.svgPoint())(latlng, {
            radius: cls.radius, fillColor: cls.color, fillOpacity: cls.opacity, color: "#ffffff",
            weight: cls.radius > 4 ? 1.5 : 0.5, pane: "titik",
            className: "pws-titik pws-" + style.overlay + " pws-titik-" + cls.key
        });
        var text = function () {  // built when first shown: an overlay may have thousands
            var html = "<b>" + esc(p.n) + "</b><br>" + esc(cls.label);
            (style.details || []).forEach(function (d) {
                if (p[d[0]] !== undefined && p[d[0]] !== null) {
                    html += "<br>" + esc(d[1]) + ": " + esc(p[d[0]]);
                }
            });
            return html;
        };
        // tooltip and popup bound on the first hover or click: binding them up front set ~12
        // event handlers per marker (a province has thousands), one on() call does here
        var first = function (e) {
            marker.off("mouseover click", first);
            marker.bindTooltip(text, {className: "pws-tooltip"});
            marker.bindPopup(text, {className: "pws-popup"});  // a click keeps it open
            if (e.type === "click") { marker.openPopup(); } else { marker.openTooltip(); }
        };
        marker.on("mouseover click", first);
        return marker;
    }
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pws: {
        applyValues: function (data) { return window.pws.applyValues(data, true); },
        applyOutline: function (data, source) { return window.pws.applyOutline(data, source); },
        zoomTo: function (data) { return window.pws.zoomTo(data); }
    }
});
