/* PWS-ILP map: a new period's colours painted without waiting for Dash.
 *
 * When only the period changes (a week in a meeting, stepped back and forth), the page
 * does not wait for the values callback: ``onPeriod`` (a clientside callback on the
 * controls, its output the period-shown store that the values callback listens to) takes
 * that period's values from the ones fetched ahead (``prefetchNear``: the periods next to
 * the one painted, from the values route, layer_values.VALUES_PATH, which answers for the
 * server's scope only) or asks the route at once, paints them (pws.applyValues), and only
 * then passes the period on. Dash's callback then finds the same values painted and sends
 * the legend's summary and the download link. Any other control changed meanwhile drops
 * the browser's answer: Dash's callback answers the new controls.
 */
window.pws = Object.assign(window.pws || {}, {
    // the colours of a new period without Dash (onPeriod): periods fetched ahead (kept:
    // url -> values, the latest ``keep``), ``near`` on each side of the one painted,
    // ``delayMs`` after it
    fast: {gen: 0, kept: new Map(), keep: 12, near: 2, delayMs: 500, periods: [], timer: null},

    onPeriod: function (layer, period, kec, opts) {
        // the period for the values callback (the period-shown store). A new period alone
        // is first painted from the browser (a neighbouring period fetched beforehand,
        // prefetchNear) or from the values route (the server's scope,
        // layer_values.VALUES_PATH): the colours do not wait for Dash's callback, and that
        // callback, asked once they are painted, finds them applied and sends the legend's
        // summary. Only while the map's values answer the other controls as they are now;
        // a control changed before the answer arrives drops it
        var pws = window.pws, fast = pws.fast, gen = ++fast.gen;
        var trig = window.dash_clientside.callback_context.triggered || [];
        var others = trig.some(function (t) { return t.prop_id !== "period.value"; });
        var cur = pws.current;
        if (others || !period || !cur || !cur.values || !cur.inputs) { return period; }
        var now = [layer, kec || null, opts || []];
        var was = [cur.inputs[0], cur.inputs[1] || null, cur.inputs[2] || []];
        if (JSON.stringify(now) !== JSON.stringify(was)) { return period; }
        var inputs = cur.inputs;
        var url = pws.valuesUrl(cur, period);
        // the period for Dash; none once a later change (a newer call) took over: an older
        // answer arriving last would have Dash colour the map for a period no longer chosen
        var handOn = function () {
            return fast.gen === gen ? period : window.dash_clientside.no_update;
        };
        var painted = function () {  // the frame that shows them, then Dash's callback
            return new Promise(function (done) {
                requestAnimationFrame(function () { setTimeout(function () { done(handOn()); }, 0); });
            });
        };
        var apply = function (data) {
            data.inputs = inputs;
            pws.applyValues(data, false);
            return painted();
        };
        var kept = fast.kept.get(url);
        if (kept) { return apply(kept); }
        return pws.getValues(url).then(function (data) {
            // a control changed meanwhile: Dash's callback answers the new ones
            return data && fast.gen === gen ? apply(data) : handOn();
        }).catch(handOn);  // Dash's callback brings them anyway
    },

    valuesUrl: function (cur, period) {
        return cur.values + "&period=" + encodeURIComponent(period);
    },

    getValues: function (url) {
        // one period's values from the values route, kept for a later week change
        var kept = window.pws.fast.kept;
        return fetch(url, {credentials: "same-origin"}).then(function (r) {
            return r.ok ? r.json() : null;
        }).then(function (data) {
            if (data) {
                kept.set(url, data);
                // the latest few: a meeting steps back and forth around one week
                while (kept.size > window.pws.fast.keep) { kept.delete(kept.keys().next().value); }
            }
            return data;
        });
    },

    periodsOffered: function (options) {
        // the period dropdown's values, newest first (a clientside callback on its options)
        window.pws.fast.periods = (options || []).map(function (o) { return o.value; });
        return window.dash_clientside.no_update;
    },

    prefetchNear: function () {
        // once a period is painted and the page is quiet: the periods next to it (the
        // dropdown's neighbours) fetched into the browser, so stepping to one is painted
        // without waiting for the network
        var pws = window.pws, fast = pws.fast;
        clearTimeout(fast.timer);
        fast.timer = setTimeout(function () {
            var cur = pws.current;
            if (!cur || !cur.values) { return; }
            var period = cur.stamp.split("|")[1], list = fast.periods || [];
            var at = list.indexOf(period);
            if (at < 0) { return; }
            var near = [];
            for (var d = 1; d <= fast.near; d++) { near.push(list[at + d], list[at - d]); }
            near.forEach(function (p) {
                var url = p && pws.valuesUrl(cur, p);
                if (url && !fast.kept.has(url)) { pws.getValues(url).catch(function () { return null; }); }
            });
        }, fast.delayMs);
    },
});
