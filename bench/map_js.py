"""The JavaScript the map benchmarks evaluate in the page (Playwright)."""

from __future__ import annotations

SETTLED_JS = """() => new Promise(resolve => requestAnimationFrame(
    () => requestAnimationFrame(() => resolve(performance.now()))))"""

#: wait (polling each frame) until every layer of a level (``desa``, ``kab``, ``prov``, or
#: ``auto``: the one the map's zoom wants; with ``prefix`` only those whose code starts so) is
#: on the map — exactly ``n`` when given, else all the page has (at least one; with
#: ``chunks`` villages only once the chunks of the view arrived) — and the values are
#: applied; resolves after the next frame (canvas renderers draw in a frame callback) with
#: the time; ``zoom``/``fit`` act first (at ``t0``). dash-leaflet adds a payload's features
#: in one task, so "all the page has" is never a part of a payload.
LEVEL_DRAWN_JS = """(spec) => new Promise(resolve => {
    const pws = window.pws || {};
    const map = pws.levelState && pws.levelState.map;
    const t0 = performance.now();
    if (spec.zoom !== null) { map.setZoom(spec.zoom, {animate: false}); }
    if (spec.fit) {
        map.fitBounds(pws.layers[spec.fit].getBounds(), {padding: [16, 16], animate: false});
    }
    const count = () => {
        let total = 0, drawn = 0;
        for (const l of Object.values(window.pws.layers || {})) {
            const p = (l.feature && l.feature.properties) || {};
            if ((p.lvl || "desa") !== spec.lvl) { continue; }
            if (spec.prefix && !String(p.kode).startsWith(spec.prefix)) { continue; }
            total++;
            if (l._map) { drawn++; }
        }
        return [total, drawn];
    };
    const check = () => {
        const st = window.pws && window.pws.levelState;
        if (spec.lvl === "auto" && st && st.map && window.pws.geo) {
            spec.lvl = window.pws.wantedLevel(st.map.getZoom());  // what the opening zoom shows
        }
        const [total, drawn] = count();
        const cur = window.pws && window.pws.current;
        let all = spec.n ? drawn === spec.n : total > 0 && drawn === total;
        if (spec.chunks && spec.lvl === "desa") {  // and the chunks of the view arrived
            all = all && st.index && !Object.values(st.pending).some(Boolean);
        }
        if (all && cur && cur.stamp) {
            requestAnimationFrame(() => setTimeout(() => resolve({t: performance.now(), t0: t0,
                drawn: drawn, total: total, lvl: spec.lvl}), 0));
        } else if (performance.now() - t0 > spec.timeout) {
            resolve({t: null, t0: t0, drawn: drawn, total: total, lvl: spec.lvl});
        } else {
            requestAnimationFrame(check);
        }
    };
    check();
})"""
COUNTS_JS = """() => {
    const m = window.pws.levelState && window.pws.levelState.map;
    return {paths: document.querySelectorAll('.leaflet-overlay-pane path.pws-desa').length,
            canvases: document.querySelectorAll('.leaflet-overlay-pane canvas').length,
            zoom: m ? m.getZoom() : null,
            mode: window.pws.geo ? window.pws.geo.mode : null,
            geoEnd: Math.max(0, ...performance.getEntriesByType('resource')
                .filter(e => new URL(e.name).pathname.startsWith('/geo/')
                             && !e.name.includes('/geo/titik/'))
                .map(e => e.responseEnd))};
}"""
LABELS_LOADED_JS = """() => {
    const cur = window.pws && window.pws.current;
    return !cur || !cur.labels || window.pws.labels.url === cur.labels;
}"""
HOOK_JS = """() => {
    const b = window.__bench = {down: null, applied: null, painted: null, stamp: null};
    document.addEventListener('pointerdown', () => { b.down = performance.now(); }, true);
    const original = window.pws.applyValues;
    window.pws.applyValues = function (data) {
        const again = data && data.stamp === b.stamp;  // Dash's answer, painted before
        const out = original.apply(window.pws, arguments);
        if (again) { return out; }
        b.applied = performance.now();
        b.painted = null;
        b.stamp = data && data.stamp;
        requestAnimationFrame(() => setTimeout(() => { b.painted = performance.now(); }, 0));
        return out;
    };
}"""
WEEK_APPLIED_JS = """(prev) => {
    const b = window.__bench;
    return b && b.stamp !== null && b.stamp !== prev && b.painted !== null;
}"""
