"""Take the README screenshot: the demo map with a village panel open.

Usage: python scripts/screenshot.py docs/screenshot.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from dashboard import testing

REPO = Path(__file__).resolve().parents[1]


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = testing.loaded_database(REPO / "data" / "geo" / "demo_9901", Path(tmp) / "s.sqlite")
        with testing.serve(db) as url, testing.chromium() as browser:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url)
            page.wait_for_function(
                "() => window.pws && window.pws.current"
                " && document.querySelectorAll('path.pws-desa').length > 0"
            )
            page.wait_for_timeout(500)
            # a point near the map's centre that lies on a village (not on a marker)
            x, y = page.evaluate("""() => {
                const box = document.querySelector('#map').getBoundingClientRect();
                for (let dy = 0; dy < 200; dy += 7) {
                  const x = box.left + box.width * 0.4, y = box.top + box.height / 2 + dy;
                  const el = document.elementFromPoint(x, y);
                  if (el && el.classList.contains('pws-desa')) return [x, y];
                }
                return [box.left + box.width * 0.4, box.top + box.height / 2];
            }""")
            page.mouse.click(x, y)
            page.wait_for_selector("#panel-name")
            page.mouse.move(x + 40, y + 30)
            page.wait_for_timeout(800)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
    print(f"screenshot written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "screenshot.png"))
