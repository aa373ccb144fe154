/* PWS-ILP presentation (/presentasi): keys, counter, full screen, auto-advance, map clicks.
 *
 * The server renders every slide as one or more screens (.pres-screen, data-slide and
 * data-screen; dashboard/pages/presentasi_slides.py); this file only shows one of them at a
 * time, instantly, without a server round trip:
 *   → ↓ PageDown space N = next screen, ← ↑ PageUp P = previous, Home/End = first/last,
 *   F = full screen, B or . = blank screen, Esc = leave to the map page for the same region
 *   (the Esc that ends full screen only ends full screen; with unsaved minutes a first Esc
 *   warns). Keys typed into the closing slide's inputs stay there.
 * The counter says "slide / slides"; dots show the screens of a slide. The slide shown is
 * kept in the URL's hash (#3 or #3.2), so a reload stays on it. Auto-advance (10–120 s) is
 * chosen in the small menu shown on the title slide and while the mouse moves.
 * A click on a map image sends where it fell (fractions of the image) to the server
 * (dash_clientside.set_props on the slide's pres-click store); the server answers the
 * zoomed image. Loaded on every page: everything here acts only inside #pres.
 */
(function () {
    var NEXT = ["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "n", "N"];
    var PREV = ["ArrowLeft", "ArrowUp", "PageUp", "p", "P"];
    var CHROME_MS = 2500;

    var P = {
        index: 0,
        seconds: 0,
        timer: null,
        chromeTimer: null,
        dirty: false,
        warned: 0,
        fullscreenEnded: 0,

        root: function () { return document.getElementById("pres"); },

        screens: function () {
            return Array.prototype.slice.call(document.querySelectorAll("#pres .pres-screen"));
        },

        start: function () {
            // called when the page's stores render; the slides may mount a moment later
            var tries = 0;
            var go = function () {
                var list = P.screens();
                if (!list.length) {
                    if (++tries < 100) { window.setTimeout(go, 50); }
                    return;
                }
                P.dirty = false;
                P.seconds = 0;
                P.show(P.fromHash(list));
                var root = P.root();
                if (root && document.activeElement === document.body) { root.focus(); }
            };
            window.setTimeout(go, 0);
            return window.dash_clientside ? window.dash_clientside.no_update : null;
        },

        fromHash: function (list) {
            var m = /^#(\d+)(?:\.(\d+))?$/.exec(window.location.hash || "");
            if (!m) { return 0; }
            var slide = String(parseInt(m[1], 10) - 1);
            var screen = String(m[2] ? parseInt(m[2], 10) - 1 : 0);
            for (var k = 0; k < list.length; k++) {
                if (list[k].dataset.slide === slide && list[k].dataset.screen === screen) {
                    return k;
                }
            }
            return 0;
        },

        show: function (k) {
            var list = P.screens();
            var root = P.root();
            if (!list.length || !root) { return; }
            k = Math.max(0, Math.min(list.length - 1, k));
            P.index = k;
            list.forEach(function (el, j) { el.classList.toggle("pres-current", j === k); });
            var cur = list[k];
            var slide = parseInt(cur.dataset.slide || "0", 10);
            var screen = parseInt(cur.dataset.screen || "0", 10);
            var screens = parseInt(cur.dataset.screens || "1", 10);
            var slides = document.querySelectorAll("#pres .pres-slide").length;
            var counter = document.getElementById("pres-counter");
            if (counter) { counter.textContent = (slide + 1) + " / " + slides; }
            var dots = document.getElementById("pres-dots");
            if (dots) {
                var text = "";
                for (var j = 0; screens > 1 && j < screens; j++) { text += j === screen ? "●" : "○"; }
                dots.textContent = text;
            }
            root.classList.toggle("pres-first", k === 0);
            root.dataset.current = String(k);
            var hash = "#" + (slide + 1) + (screen ? "." + (screen + 1) : "");
            if (window.location.hash !== hash) {
                window.history.replaceState(window.history.state, "",
                                            window.location.pathname + window.location.search + hash);
            }
            // charts drawn while hidden take their size now
            window.dispatchEvent(new Event("resize"));
            P.schedule();
        },

        next: function (wrap) {
            var n = P.screens().length;
            if (P.index + 1 < n) { P.show(P.index + 1); } else if (wrap) { P.show(0); }
        },

        prev: function () { if (P.index > 0) { P.show(P.index - 1); } },

        schedule: function () {
            window.clearTimeout(P.timer);
            P.timer = null;
            var badge = document.getElementById("pres-auto-on");
            if (badge) { badge.textContent = P.seconds ? "▶ " + P.seconds + " s" : ""; }
            if (!P.seconds || !P.root()) { return; }
            P.timer = window.setTimeout(function () {
                var el = document.activeElement;
                if (el && el.closest && el.closest("#notes-editor")) { P.schedule(); return; }
                P.next(true);
            }, P.seconds * 1000);
        },

        setAuto: function (seconds) {
            var s = parseInt(seconds, 10);
            P.seconds = s >= 10 && s <= 120 ? s : 0;
            P.schedule();
        },

        fullscreen: function () {
            var done = function () {};
            if (document.fullscreenElement) {
                if (document.exitFullscreen) { document.exitFullscreen().catch(done); }
            } else if (document.documentElement.requestFullscreen) {
                document.documentElement.requestFullscreen().catch(done);
            }
        },

        leave: function () {
            var root = P.root();
            if (!root) { return; }
            if (P.dirty && !P.warned) {
                P.warned = Date.now();
                var warning = document.getElementById("pres-warning");
                if (warning) { warning.style.display = ""; }
                return;
            }
            window.location.href = root.getAttribute("data-exit") || "/";
        },

        saved: function (data) {
            if (data) {
                P.dirty = false;
                P.warned = 0;
                var warning = document.getElementById("pres-warning");
                if (warning) { warning.style.display = "none"; }
            }
            return data ? data.at : null;
        },

        onKey: function (e) {
            var root = P.root();
            var message = document.getElementById("pres-message");  // a region refused
            if (!root && message && e.key === "Escape") {
                window.location.href = message.getAttribute("data-exit") || "/";
                return;
            }
            if (!root || e.defaultPrevented) { return; }
            var target = e.target || {};
            var tag = target.tagName || "";
            var typing = tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
                target.isContentEditable;
            if (e.key === "Escape") {
                if (typing) { target.blur(); return; }
                if (document.fullscreenElement) { P.fullscreen(); return; }
                if (Date.now() - P.fullscreenEnded < 700) { return; }  // that Esc ended it
                P.leave();
                return;
            }
            if (typing || e.altKey || e.ctrlKey || e.metaKey) { return; }
            if ((e.key === " " || e.key === "Enter") && target.closest &&
                    target.closest("#notes-editor, #pres-chrome")) {
                return;  // a focused button of the editor or the menu
            }
            var handled = true;
            if (NEXT.indexOf(e.key) >= 0) { P.next(false); }
            else if (PREV.indexOf(e.key) >= 0) { P.prev(); }
            else if (e.key === "Home") { P.show(0); }
            else if (e.key === "End") { P.show(P.screens().length - 1); }
            else if (e.key === "f" || e.key === "F") { P.fullscreen(); }
            else if (e.key === "b" || e.key === "B" || e.key === ".") {
                root.classList.toggle("pres-blank");
            } else { handled = false; }
            if (handled) { e.preventDefault(); }
        },

        onClick: function (e) {
            if (!P.root()) { return; }
            var target = e.target;
            if (target && target.id === "pres-fullscreen") { P.fullscreen(); target.blur(); return; }
            var img = target && target.closest ? target.closest("img.pres-map") : null;
            if (!img || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
            var box = img.getBoundingClientRect();
            if (!box.width || !box.height) { return; }
            window.dash_clientside.set_props(
                {type: "pres-click", index: img.getAttribute("data-key")},
                {data: {x: (e.clientX - box.left) / box.width, y: (e.clientY - box.top) / box.height,
                        t: Date.now()}});
        },

        onPointer: function (e) {
            var root = P.root();
            if (!root) { return; }
            root.classList.add("pres-pointer");
            window.clearTimeout(P.chromeTimer);
            if (e && e.target && e.target.closest && e.target.closest("#pres-chrome")) { return; }
            P.chromeTimer = window.setTimeout(function () {
                root.classList.remove("pres-pointer");
            }, CHROME_MS);
        },

        keepDeckUrl: function (region, week, lang) {
            // the deck page's region and week in its URL (a reload keeps them)
            var q = new URLSearchParams();
            if (region) { q.set("wilayah", region); }
            if (week) { q.set("minggu", week); }
            q.set("lang", lang || "id");
            var search = "?" + q.toString();
            if (window.location.search !== search) {
                window.history.replaceState(window.history.state, "", window.location.pathname + search);
            }
            return search;
        }
    };

    document.addEventListener("keydown", P.onKey);
    document.addEventListener("click", P.onClick);
    document.addEventListener("mousemove", P.onPointer);
    document.addEventListener("change", function (e) {
        if (e.target && e.target.id === "pres-auto") {
            P.setAuto(e.target.value);
            e.target.blur();  // the arrow keys step the slides again, not the interval
            var root = P.root();
            if (root) { root.focus(); }
        }
    });
    document.addEventListener("input", function (e) {
        if (e.target && e.target.closest && e.target.closest("#notes-editor")) {
            P.dirty = true;
            P.warned = 0;
        }
    });
    document.addEventListener("fullscreenchange", function () {
        if (!document.fullscreenElement) { P.fullscreenEnded = Date.now(); }
    });

    window.pws = Object.assign(window.pws || {}, {present: P});
})();
