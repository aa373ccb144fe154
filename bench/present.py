"""Issue 11: meeting exports — the deck as PPTX and PDF, and the A4 page per kecamatan.

For the demo kabupaten (99.01: 250 villages, 18 kecamatan) and one real Jawa Timur
kabupaten (Banyuwangi, 35.10, in the province store that ``bench/map_data.py`` builds:
programme data generated on the 8,494 real villages, loaded into SQLite), in one run:

* **deck build** — every slide of the default deck built from the store
  (:func:`layers.present.deck.build`: the week's alerts, KLB signals and the space-time scan
  with 999 replications, Pustu gaps, kader levels and gaps, follow-up), no export: the
  baseline, median of :data:`REPEATS` (after one warm-up build, reported as *cold*);
* **PPTX export** and **PDF export** — :func:`layers.present.export_job.export`, which
  builds the same deck and writes it (three maps drawn on the server, tables, chart),
  median of :data:`REPEATS`; their writing alone is the export minus the build;
* **A4 summary** — one page per kecamatan, each the kecamatan's own deck (slides built
  for it, its map): one run.

Suppression on (threshold 5), as for every export. ``--quick``: the demo only, one run
each. Nothing asserts on timings; the figures are printed and written to ``bench/out``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bench.common import Row, median, print_table, timed
from bench.map_data import Dataset, datasets
from bench.map_data import prepare_demo as _prepare_demo
from bench.map_data import prepare_jatim as _prepare_jatim
from layers.present import deck, decks, export_job
from layers.present.suppress import EXPORTED
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries

NAME = "present"
REPEATS = 3
EVERYTHING = Scope.everything()
#: the Jawa Timur kabupaten measured (Banyuwangi: 217 villages, 25 kecamatan)
JATIM_KAB = "35.10"


def _region(ds: Dataset) -> str:
    return "99.01" if ds.name == "demo" else JATIM_KAB


def measure(ds: Dataset, reps: int, a4: bool = True) -> dict[str, Any]:
    """Build, PPTX, PDF (and A4) times of the dataset's kabupaten."""
    engine = store_engine.make_engine(ds.database_url)
    region = _region(ds)
    out: dict[str, Any] = {"region": region}
    with Session(engine) as session:
        scope = Scope.of([region])
        out["villages"] = len(queries.village_table(session, scope))
        out["kecamatan"] = int(queries.village_table(session, scope)["kode_kec"].nunique())
        kinds = decks.load_deck(session, EVERYTHING, region).shown()
        ctx = deck.context(session, EVERYTHING, region, None, "id", EXPORTED)
        out["week"] = str(ctx.week)
        out["slides"] = kinds
        out["cold_build_s"], _ = timed(lambda: deck.build(ctx, kinds))
        out["build_s"] = [timed(lambda: deck.build(ctx, kinds))[0] for _ in range(reps)]
        for fmt in ("pptx", "pdf") + (("a4",) if a4 else ()):
            runs, size = [], 0
            for _ in range(1 if fmt == "a4" else reps):
                seconds, (data, _, _) = timed(lambda f=fmt: export_job.export(
                    session, EVERYTHING, region, None, f, "id"))  # fmt: skip
                runs.append(seconds)
                size = len(data)
            out[f"{fmt}_s"], out[f"{fmt}_bytes"] = runs, size
    engine.dispose()
    return out


def rows_for(name: str, m: dict[str, Any]) -> list[Row]:
    build = median(m["build_s"])
    base = f"deck build, no export (median of {len(m['build_s'])})"
    label = f"{name} {m['region']} ({m['villages']} villages)"
    rows = [Row(label, "deck build, cold (first of the run)", m["cold_build_s"], build, "s",
                base)]  # fmt: skip
    for fmt, what in (("pptx", "PPTX export"), ("pdf", "PDF export")):
        value = median(m[f"{fmt}_s"])
        rows += [
            Row(label, f"{what} (build + write, median of {len(m[f'{fmt}_s'])})", value, build,
                "s", base),
            Row(label, f"{what}: writing alone (export − build)", value - build, build, "s",
                base),
            Row(label, f"{what} bytes", m[f"{fmt}_bytes"], m["pptx_bytes"], "B", "PPTX bytes"),
        ]  # fmt: skip
    if "a4_s" in m:
        per = m["a4_s"][0] / max(m["kecamatan"], 1)
        rows += [
            Row(label, f"A4 summary, {m['kecamatan']} pages (one run)", m["a4_s"][0], build,
                "s", base),
            Row(label, "A4 summary per kecamatan page", per, build, "s", base),
        ]  # fmt: skip
    return rows


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every available dataset; print the table; return the JSON record."""
    record: dict[str, Any] = {"name": NAME, "datasets": {}, "notes": []}
    reps = 1 if quick else REPEATS
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for ds in datasets(tmp, quick, record, _prepare_demo, _prepare_jatim):
            print(f"{ds.name}: deck build and exports ...", flush=True)
            found = measure(ds, reps)
            record["datasets"][ds.name] = {"setup_s": ds.setup_s, **found}
            rows.extend(rows_for(ds.name, found))
    print_table("Deck exports (suppression on) beside the deck build without export, same run "
                "(ratio = value / baseline)", rows)  # fmt: skip
    record["rows"] = [row.as_dict() for row in rows]
    return record


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
