/* PWS-ILP map: the villages' canvas drawn in batches, one fill per colour.
 *
 * Leaflet's canvas renderer draws each polygon on its own: a path, a fill and a stroke,
 * each with its style set again (Leaflet 1.9 Canvas._draw). Jawa Timur's 8,494 villages so
 * cost ~55 ms of script and ~45 ms of rasterising per repaint on these machines, most of
 * a week change. Here the villages' renderer (and only it: pws.batchCanvas, called when
 * its first polygon is added) draws the same polygons grouped by style: all the fills of
 * one colour as one path, then the strokes, thinner first, so a highlighted, selected or
 * outlined village's stroke lies on top. Each polygon's path is built once per projection
 * (a Path2D kept until Leaflet re-projects or clips it, i.e. on zoom, pan or new geometry)
 * and a week change only regroups them.
 *
 * Differences from Leaflet's drawing, on purpose: a stroke is never half covered by a
 * neighbour's fill drawn after it (every border looks the same), and the even-odd rule
 * applies within a colour's path, as it did within a polygon: polygons of a coverage
 * (the served geometry, layers/levels.py) do not overlap. Anything that is not a polygon
 * is drawn by Leaflet, after them. Hit-testing is Leaflet's own (geometry, not pixels).
 * No maintained Leaflet plugin batches a canvas by style; this is written by hand.
 */
window.pws = Object.assign(window.pws || {}, {
    batchCanvas: function (renderer) {
        // the renderer draws in batches from its next redraw on (an own property: other
        // canvases of the page keep Leaflet's drawing)
        if (!renderer || renderer._pwsBatched || !(renderer instanceof L.Canvas)) { return; }
        renderer._pwsBatched = true;
        renderer._draw = function () { window.pws.drawBatched(this); };
    },

    polygonPath: function (layer, r) {
        // the polygon's rings in pixels (Leaflet's clipped and simplified _parts) as a Path2D,
        // kept while _parts is the same array (Leaflet makes a new one when it re-projects).
        // Small paths joined with addPath: one long Path2D built point by point is far
        // slower in Chromium (measured: 340 ms against 14 ms for Jawa Timur)
        if (layer._pwsPathOf === layer._parts) { return layer._pwsPath; }
        var path = new Path2D(), parts = layer._parts;
        for (var i = 0; i < parts.length; i++) {
            var ring = parts[i];
            for (var j = 0; j < ring.length; j++) {
                if (j) { path.lineTo(ring[j].x, ring[j].y); } else { path.moveTo(ring[j].x, ring[j].y); }
            }
            path.closePath();
        }
        layer._pwsPath = path;
        layer._pwsPathOf = parts;
        r._pwsPaths = (r._pwsPaths || 0) + 1;  // a stroke batch kept from before is stale
        return path;
    },

    strokeKey: function (layer) {
        // the layer's stroke batch, its key made again only when its stroke changed (a new
        // week changes fills only; 8,494 keys built per frame cost ~10 ms)
        var o = layer.options, k = layer._pwsStroke;
        if (k && k.color === o.color && k.weight === o.weight && k.opacity === o.opacity
            && k.dash === o.dashArray && k.stroke === o.stroke) {
            return k.key;
        }
        layer._pwsStroke = {color: o.color, weight: o.weight, opacity: o.opacity,
                            dash: o.dashArray, stroke: o.stroke,
                            key: o.stroke && o.weight !== 0 ? [o.color, o.opacity, o.weight,
                                o.dashArray, o.lineCap, o.lineJoin].join("|") : null};
        return layer._pwsStroke.key;
    },

    drawBatched: function (r) {
        // Leaflet's Canvas._draw (the redraw area clipped, the layers in it), in batches
        var pws = window.pws, bounds = r._redrawBounds, ctx = r._ctx;
        ctx.save();
        if (bounds) {
            var size = bounds.getSize();
            ctx.beginPath();
            ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
            ctx.clip();
        }
        r._drawing = true;
        // fills by colour, then opacity (Maps: no key string per polygon)
        var fills = new Map(), fillOrder = [], strokes = {}, strokeOrder = [], others = [];
        for (var node = r._drawFirst; node; node = node.next) {
            var layer = node.layer;
            if (bounds && !(layer._pxBounds && layer._pxBounds.intersects(bounds))) { continue; }
            if (!(layer instanceof L.Polygon) || !layer._parts) { others.push(layer); continue; }
            if (!layer._parts.length) { continue; }  // outside the view
            var o = layer.options, path = pws.polygonPath(layer, r), g;
            if (o.fill) {
                var color = o.fillRule && o.fillRule !== "evenodd" ? o.fillColor + "|" + o.fillRule
                    : o.fillColor || o.color;
                var byOpacity = fills.get(color);
                if (!byOpacity) { fills.set(color, byOpacity = new Map()); }
                g = byOpacity.get(o.fillOpacity);
                if (!g) { byOpacity.set(o.fillOpacity, g = pws._batch(fillOrder, o)); }
                g.path.addPath(path);
            }
            var stroke = pws.strokeKey(layer);
            if (stroke) {
                g = strokes[stroke];
                if (!g) {
                    g = strokes[stroke] = {layers: [], o: Object.assign({}, o), at: strokeOrder.length};
                    strokeOrder.push(g);
                }
                g.layers.push(layer);
            }
        }
        fillOrder.forEach(function (b) {
            ctx.globalAlpha = b.o.fillOpacity;
            ctx.fillStyle = b.o.fillColor || b.o.color;
            ctx.fill(b.path, b.o.fillRule || "evenodd");
        });
        // thinner strokes first: the thick ones (hover, selection, outlines) stay on top
        strokeOrder.sort(function (a, b) { return a.o.weight - b.o.weight || a.at - b.at; });
        strokeOrder.forEach(function (b) {
            ctx.setLineDash(b.o._dashArray || []);
            ctx.globalAlpha = b.o.opacity;
            ctx.lineWidth = b.o.weight;
            ctx.strokeStyle = b.o.color;
            ctx.lineCap = b.o.lineCap;
            ctx.lineJoin = b.o.lineJoin;
            ctx.stroke(pws._strokePath(r, b.layers));
        });
        others.forEach(function (l) { l._updatePath(); });
        r._drawing = false;
        ctx.restore();
    },

    _batch: function (order, options) {
        var b = {o: Object.assign({}, options), path: new Path2D()};
        order.push(b);
        return b;
    },

    _strokePath: function (r, layers) {
        // the joined path of a stroke batch; the borders of all plain villages rarely change
        // between frames (a new week changes fills only): the last one made is kept, by the
        // polygons it joins and the paths' version
        var n = layers.length, sum = 0, sq = 0;
        for (var i = 0; i < n; i++) { var id = L.stamp(layers[i]); sum += id; sq += id * id; }
        var sig = n + ":" + sum + ":" + sq + ":" + (r._pwsPaths || 0);
        r._pwsStrokes = r._pwsStrokes || {};
        var kept = r._pwsStrokes[sig];
        if (kept) { return kept; }
        var path = new Path2D();
        for (var j = 0; j < n; j++) { path.addPath(layers[j]._pwsPath); }
        if (n > 100) { r._pwsStrokes = {}; r._pwsStrokes[sig] = path; }  // only the big one
        return path;
    }
});
