/* PWS-ILP map: zoom-aware geometry (dashboard/map_geometry.py).
 *
 * The page passes its geometry config (store "geo-config"): the mode, the kabupaten
 * index URL, the chunk URL template, the region level URLs and the zoom thresholds.
 * - mode "desa": the villages arrive at low detail with the page; as the user zooms in,
 *   each kabupaten in view gets finer polygons (its chunk at the zoom's detail), applied
 *   with setLatLngs to the layers already drawn (style, tooltip, selection kept).
 * - mode "wilayah" (the nation): provinces first; kabupaten from kabZoom; from desaZoom
 *   the villages of the kabupaten in view, each replacing its kabupaten.
 * Chunks join the village GeoJSON's own Leaflet group (addData), so clicks, hover and
 * restyling (pws.applyValues) treat them like the first polygons. No request on a week
 * change carries geometry: only zooming and panning fetch it, once per chunk.
 */
window.pws = Object.assign(window.pws || {}, {
    geo: null,
    levelState: {group: null, map: null, index: null, detail: {}, pending: {},
                 regions: {}, timer: null, shown: null},

    configureGeo: function (cfg) {
        // a new map page: its map and village group attach with their first polygon
        window.pws.geo = cfg || null;
        var st = window.pws.levelState;
        clearTimeout(st.timer);
        window.pws.levelState = {group: null, map: null, index: null, detail: {}, pending: {},
                                 regions: {}, timer: null, shown: null};
        return cfg ? cfg.mode : null;
    },

    attachLevels: function (map, layer) {
        var st = window.pws.levelState;
        if (!st.group && layer._eventParents) {
            // the dash-leaflet GeoJSON holding this polygon: chunks are added to it
            for (var id in layer._eventParents) { st.group = layer._eventParents[id]; break; }
        }
        if (!map || st.map === map) { return; }
        st.map = map;
        map.on("zoomend moveend", function () {
            clearTimeout(st.timer);
            st.timer = setTimeout(function () { st.timer = null; window.pws.updateLevels(); },
                                  120);
        });
        setTimeout(window.pws.updateLevels, 0);
    },

    detailRank: {rendah: 1, sedang: 2, tinggi: 3, asli: 4},

    levelsIdle: function () {
        // true once the view's geometry is all there: no update waiting, no fetch running
        var st = window.pws.levelState;
        if (!st.map || !st.ran || st.timer) { return false; }
        for (var k in st.pending) { if (st.pending[k]) { return false; } }
        return st.regions.kab !== "loading" && !(st.indexPending && !st.index)
            && st.kecamatan !== "loading" && st.kecamatan !== "waiting";
    },

    detailFor: function (zoom) {
        var chosen = null;
        (window.pws.geo.details || []).forEach(function (d) {
            if (zoom >= d.minZoom) { chosen = d.detail; }
        });
        return chosen;
    },

    wantedLevel: function (zoom) {
        var cfg = window.pws.geo;
        if (cfg.mode !== "wilayah") { return "desa"; }
        if (zoom < cfg.kabZoom) { return "prov"; }
        return zoom < cfg.desaZoom ? "kab" : "desa";
    },

    getJSON: function (url) {
        return fetch(url, {credentials: "same-origin"}).then(function (r) {
            if (!r.ok) { throw new Error("HTTP " + r.status + " " + url); }
            return r.json();
        });
    },

    updateLevels: function () {
        var pws = window.pws, st = pws.levelState, cfg = pws.geo;
        if (!cfg || !st.map || !st.group || !st.map._loaded || !st.map._mapPane) { return; }
        st.ran = true;
        var zoom = st.map.getZoom();
        var want = pws.wantedLevel(zoom);
        var legend = document.getElementById("legend");
        var level = want === "desa" ? "desa" : "wilayah";
        if (legend) { legend.setAttribute("data-level", level); }
        // points (facilities, ...) belong to the village zoom: hidden over regions
        st.map.getContainer().setAttribute("data-level", level);
        if (want === "kab" && !st.regions.kab) {
            st.regions.kab = "loading";
            pws.getJSON(cfg.regions.kab).then(function (fc) {
                st.regions.kab = "loaded";
                st.group.addData(fc);
                pws.showLevels();
            }).catch(function () { st.regions.kab = null; });
        }
        st.shown = want;
        pws.showLevels();
        if (want !== "desa") { return; }
        if (!st.index) {
            if (!st.indexPending) {
                st.indexPending = true;
                pws.getJSON(cfg.index).then(function (idx) {
                    st.index = idx.kab;
                    pws.updateLevels();
                }).catch(function () { st.indexPending = false; });
            }
            return;
        }
        var detail = pws.detailFor(zoom);
        if (!detail) { return; }
        pws.refineKecamatan(detail);
        var view = st.map.getBounds();
        Object.keys(st.index).forEach(function (kab) {
            var b = st.index[kab];
            if (!view.intersects(L.latLngBounds([b[0], b[1]], [b[2], b[3]]))) { return; }
            var have = pws.detailRank[st.detail[kab] || cfg.initialDetail] || 0;
            if (have >= pws.detailRank[detail] || st.pending[kab]) { return; }
            st.pending[kab] = true;
            var url = cfg.chunk.replace("{detail}", detail).replace("{kab}", kab);
            pws.getJSON(url).then(function (fc) {
                st.pending[kab] = false;
                if ((pws.detailRank[st.detail[kab] || cfg.initialDetail] || 0)
                        >= pws.detailRank[detail]) { return; }
                pws.applyChunk(fc);
                st.detail[kab] = detail;
                pws.showLevels();
            }).catch(function () { st.pending[kab] = false; });
        });
    },

    refineKecamatan: function (detail) {
        // the page opens with kecamatan outlines at the villages' first detail; once they
        // are refined to the outlines' finer one, its outlines replace them (fetched once)
        var pws = window.pws, st = pws.levelState, kec = pws.geo.kecamatan;
        if (!kec || st.kecamatan || pws.detailRank[detail] < pws.detailRank[kec.detail]) {
            return;
        }
        var group = null;
        st.map.eachLayer(function (l) {
            if (!group && l.addData && l.options && l.options.pane === "kecamatan") { group = l; }
        });
        if (!group || !group.getLayers().length) {
            // the first outlines not drawn yet (they would replace the finer ones): again
            // shortly, for a few seconds (a scope may have no kecamatan to draw)
            st.kecTries = (st.kecTries || 0) + 1;
            if (st.kecTries <= 40) {
                st.kecamatan = "waiting";
                setTimeout(function () {
                    if (window.pws.levelState !== st) { return; }  // another page by now
                    st.kecamatan = null;
                    pws.refineKecamatan(detail);
                }, 150);
            }
            return;
        }
        st.kecamatan = "loading";
        pws.getJSON(kec.url).then(function (fc) {
            group.clearLayers();
            group.addData(fc);
            st.kecamatan = kec.detail;
        }).catch(function () { st.kecamatan = null; });
    },

    applyChunk: function (fc) {
        // refine the villages already drawn; add the others to the village group
        var layers = window.pws.layers, fresh = [];
        fc.features.forEach(function (f) {
            var layer = layers[f.properties.kode];
            if (layer && layer.setLatLngs) {
                layer.setLatLngs(L.GeoJSON.geometryToLayer(f).getLatLngs());
            } else {
                fresh.push(f);
            }
        });
        if (fresh.length) {
            window.pws.levelState.group.addData({type: "FeatureCollection", features: fresh});
        }
    },

    showLevels: function () {
        // in the drill-down: the wanted level's regions; at village zoom a kabupaten gives
        // way to its villages once they are loaded
        var pws = window.pws, st = pws.levelState, cfg = pws.geo;
        if (!cfg || cfg.mode !== "wilayah" || !st.group) { return; }
        var want = st.shown;
        var layers = pws.layers;
        var groupId = L.stamp(st.group);
        for (var kode in layers) {
            var layer = layers[kode];
            // only this map's polygons (an earlier page's may linger in pws.layers): tagged
            // while in the group, so that they stay ours once removed from it
            if (layer._eventParents && layer._eventParents[groupId]) { layer._pwsGroup = groupId; }
            if (layer._pwsGroup !== groupId) { continue; }
            var lvl = layer.feature.properties.lvl || "desa";
            var kab = lvl === "prov" ? null : kode.slice(0, 5);
            var on;
            if (want === "desa") {
                on = lvl === "desa" || (lvl === "kab" && !st.detail[kab]);
            } else {
                on = lvl === want || (want === "kab" && lvl === "prov" && st.regions.kab !== "loaded");
            }
            var has = st.group.hasLayer(layer);
            if (on && !has) { st.group.addLayer(layer); }
            if (!on && has) { st.group.removeLayer(layer); }
        }
    }
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    pwsLevels: {
        configure: function (cfg) { return window.pws.configureGeo(cfg); }
    }
});
