"""Hot-spot benchmark (issue 7): does the default find the planted outbreaks, and how fast?

Data: the programme data of ``pws demo`` — on the embedded demo district
(``data/geo/demo_9901``, 250 villages, one kabupaten) and, in the full run, on the real Jawa
Timur village boundaries (8,494 villages, 38 kabupaten/kota; the same tables as
``pws demo --boundaries desa_35_jawa_timur.parquet``, generated in-process and cached under
``bench/out/``). Each carries planted diarrhoea outbreaks (``klaster_tertanam.json``: 5–8
adjacent villages, 2–4 weeks, relative risk 3–5) — the ground truth.

For every week of every planted outbreak, Getis-Ord Gi* of that week's incidence per 1,000
(:func:`layers.diarrhoea.hotspots.hot_spots`) is run twice in the same process, on the same
weights, with the same seed:

* **default** — Benjamini–Hochberg FDR within each kabupaten, 999 permutations and, for the
  villages with p ≤ 0.01, as many as the kabupaten's size needs;
* **former** — the former default and the baseline: one BH family over every village, 999
  permutations;
* **no FDR** — for scale, no multiple-testing correction (``p <= 0.10`` is "hot 90 %").

Printed per outbreak-week and in total: planted villages in a hot class / planted villages,
other villages in a hot class (those touching a planted village — Gi* averages a village with
its neighbours, so the ring around a cluster is expected — and the rest), how many
outbreak-weeks flag the cluster's area at all, the villages flagged in a null week (the same
values shuffled over the villages), and the warm run time of one call (median of
:data:`REPEATS`) beside the former default's. Then the timing rows of
the statistic itself, each beside its same-run baseline: Gi* with 999 permutations vs its
analytical p-value only, the default call vs the weights build, the cold first call (numba
compile) vs the warm call. ``--quick``: the demo district only.

esda runs single-threaded here (``n_jobs=1``), as in the application.
"""

from __future__ import annotations

import json
import sys
import warnings
from typing import Any

import esda
import geopandas as gpd
import numba
import numpy as np
import pandas as pd

from bench.common import OUT_DIR, REPO, SHARED_DATA, Row, median, print_table, timed
from layers.diarrhoea.hotspots import HotSpots, _private, hot_spots
from layers.diarrhoea.weights import VillageWeights, build_weights
from layers.epiweek import EpiWeek

JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
DEMO = REPO / "data" / "geo" / "demo_9901"
REPEATS = 3
SEED = 12345
#: the former default: one family over the scope, 999 permutations for everyone
BASELINE = {"family": "scope", "refine": False}
#: what is compared on the planted outbreaks: the default, the former default, and — for
#: scale — no multiple-testing correction at all (p ≤ 0.10 is "hot 90 %")
CONFIGS: dict[str, dict[str, Any]] = {"default": {}, "former": BASELINE,
                                      "no FDR": {"fdr": False}}


def demo_programme() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, list[dict]]:
    """The embedded demo district: villages, cases, population, planted outbreaks."""
    gdf = gpd.read_file(DEMO / "desa.geojson")
    kasus = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    penduduk = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    klaster = json.loads((DEMO / "klaster_tertanam.json").read_text())
    return gdf, kasus, penduduk, klaster


def jatim_programme() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, list[dict]]:
    """Jawa Timur boundaries with the ``pws demo --boundaries`` programme data (cached)."""
    from layers.demo.programme import prepare_villages, programme_data
    from layers.demo.write import DEFAULT_SEED, VILLAGE_COLUMNS

    gdf = gpd.read_parquet(JATIM)
    cache = OUT_DIR / f"jatim_programme_{DEFAULT_SEED}"
    files = {name: cache / f"{name}.parquet" for name in ("kasus", "penduduk")}
    if not all(p.exists() for p in files.values()) or not (cache / "klaster.json").exists():
        villages = prepare_villages(gdf[[*VILLAGE_COLUMNS, "geometry"]])
        prog = programme_data(villages, DEFAULT_SEED)
        cache.mkdir(parents=True, exist_ok=True)
        prog.kasus.to_parquet(files["kasus"])
        prog.penduduk.to_parquet(files["penduduk"])
        (cache / "klaster.json").write_text(json.dumps(prog.klaster))
    kasus, penduduk = (pd.read_parquet(p) for p in files.values())
    klaster = json.loads((cache / "klaster.json").read_text())
    return gdf[["kode_desa", "geometry"]], kasus, penduduk, klaster


def incidence(kasus: pd.DataFrame, penduduk: pd.DataFrame, codes: list[str],
              week: EpiWeek) -> pd.Series:  # fmt: skip
    """Cases per 1,000 in ``week`` per village, as ``service.week_incidence`` computes it;
    a village without a value gets the mean of the others (as ``service.hotspots_for``)."""
    rows = kasus[(kasus["tahun"] == week.year) & (kasus["minggu"] == week.week)]
    cases = rows.groupby("kode_desa")["kasus"].sum().reindex(codes).astype(float)
    pop = penduduk[penduduk["tahun"] == week.year].set_index("kode_desa")["jumlah"]
    value = cases / pop.reindex(codes).where(lambda p: p > 0) * 1000
    return value.fillna(value.mean())


def outbreak_weeks(klaster: list[dict]) -> list[tuple[int, EpiWeek, set[str]]]:
    """(outbreak number, week, planted villages) for every week of every planted outbreak."""
    out = []
    for k, c in enumerate(klaster, start=1):
        first = EpiWeek(int(c["tahun"]), int(c["minggu_mulai"]))
        out += [(k, first + i, set(c["villages"])) for i in range(int(c["minggu"]))]
    return out


def _counts(result: HotSpots, planted: set[str], ring: set[str]) -> dict[str, int]:
    hot = set(result.hot())
    return {"planted": len(hot & planted), "ring": len(hot & ring),
            "far": len(hot - planted - ring), "area": int(bool(hot & (planted | ring)))}


def detection(name: str, vw: VillageWeights, kasus: pd.DataFrame, penduduk: pd.DataFrame,
              klaster: list[dict]) -> dict[str, Any]:  # fmt: skip
    """Every configuration on every planted outbreak-week of one dataset, and on a null week
    (the last outbreak week's values shuffled over the villages: no pattern at all)."""
    codes = list(vw.codes)
    lines = []
    totals: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    for number, week, planted in outbreak_weeks(klaster):
        values = incidence(kasus, penduduk, codes, week)
        ring = {j for c in planted for j in vw.w.neighbors[c]} - planted
        line: dict[str, Any] = {"outbreak": number, "week": str(week), "planted": len(planted)}
        for config, options in CONFIGS.items():
            result = hot_spots(values, vw, seed=SEED, **options)
            found = _counts(result, planted, ring)
            line[config] = {**found, "refined": int(result.refined.sum())}
            for key, value in found.items():
                totals[config][key] = totals[config].get(key, 0) + value
        lines.append(line)
    n_planted = sum(r["planted"] for r in lines)
    shuffled = values.sample(frac=1.0, random_state=SEED).set_axis(values.index)
    null = {c: len(hot_spots(shuffled, vw, seed=SEED, **o).hot()) for c, o in CONFIGS.items()}
    print(f"\n{name}: villages in a hot class (any confidence) per planted outbreak-week — "
          "planted found / planted, and others: touching a planted village (ring) or not (far)")
    head = " | ".join(f"{c:^22}" for c in CONFIGS)
    print(f"{'#':>2} {'week':<9} {'planted':>7} | {head}")
    print(f"{'':>2} {'':<9} {'':>7} | " + " | ".join(
        f"{'found':>6} {'ring':>5} {'far':>5} {'ref':>3}" for _ in CONFIGS))  # fmt: skip
    for r in lines:
        cells = " | ".join(f"{r[c]['planted']:>6} {r[c]['ring']:>5} {r[c]['far']:>5} "
                           f"{r[c]['refined']:>3}" for c in CONFIGS)  # fmt: skip
        print(f"{r['outbreak']:>2} {r['week']:<9} {r['planted']:>7} | {cells}")
    cells = " | ".join(f"{totals[c]['planted']:>6} {totals[c]['ring']:>5} "
                       f"{totals[c]['far']:>5} {'':>3}" for c in CONFIGS)  # fmt: skip
    print(f"   {'total':<9} {n_planted:>7} | {cells}")
    print("   outbreak-weeks with the cluster area (planted or ring) flagged: " + ", ".join(
        f"{c} {totals[c]['area']}/{len(lines)}" for c in CONFIGS))  # fmt: skip
    print(f"   null week ({lines[-1]['week']} shuffled): villages flagged: " + ", ".join(
        f"{c} {null[c]}" for c in CONFIGS))  # fmt: skip
    return {"weeks": lines, "planted_total": n_planted, "totals": totals, "null": null}


def _gi(y: np.ndarray, vw: VillageWeights, permutations: int) -> Any:
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DeprecationWarning)
        return esda.G_Local(y, _private(vw.w_star), transform="R", permutations=permutations,
                            star=True, keep_simulations=permutations > 0, n_jobs=1,
                            seed=SEED)  # fmt: skip


def _median_of(fn: Any, repeats: int) -> tuple[float, list[float]]:
    times = [timed(fn)[0] for _ in range(repeats)]
    return median(times), times


def dataset(name: str, data: tuple, cold: bool) -> tuple[list[Row], dict[str, Any]]:
    """Detection and timings of one dataset."""
    gdf, kasus, penduduk, klaster = data
    weights_s, vw = timed(lambda: build_weights(gdf, code_column="kode_desa"))
    last = outbreak_weeks(klaster)[-1][1]
    values = incidence(kasus, penduduk, list(vw.codes), last)
    cold_s = timed(lambda: hot_spots(values, vw, seed=SEED))[0] if cold else float("nan")
    found = detection(name, vw, kasus, penduduk, klaster)
    y = values.reindex(list(vw.codes)).to_numpy(dtype=float)
    new_med, new_all = _median_of(lambda: hot_spots(values, vw, seed=SEED), REPEATS)
    old_med, old_all = _median_of(lambda: hot_spots(values, vw, seed=SEED, **BASELINE),
                                  REPEATS)  # fmt: skip
    gi_med, _ = _median_of(lambda: _gi(y, vw, 999), REPEATS)
    gi0_med, _ = _median_of(lambda: _gi(y, vw, 0), REPEATS)
    weights_med, _ = _median_of(lambda: build_weights(gdf, code_column="kode_desa"), REPEATS)
    label = f"{name} ({vw.n:,} villages), {last}"
    rows = [
        Row(label, "hot_spots() default: FDR per kabupaten, refined (warm)", new_med, old_med,
            "s", "former default: one family, 999 perms"),
        Row(label, "Gi* alone, 999 permutations (warm)", gi_med, gi0_med, "s",
            "Gi* analytical (normal approx.) p only"),
        Row(label, "hot_spots() default (warm)", new_med, weights_med, "s",
            "weights build (uncached)"),
    ]  # fmt: skip
    if cold:
        rows.append(Row(label, "hot_spots(): first call, cold", cold_s, new_med, "s",
                        "the same call warm"))  # fmt: skip
    record = {"villages": vw.n, "links": int(vw.w.nonzero), "islands": len(vw.islands),
              "first_weights_build_s": weights_s, "default_s": new_all, "baseline_s": old_all,
              "cold_first_call_s": cold_s, **found}  # fmt: skip
    return rows, record


def run(quick: bool = False) -> dict[str, Any]:
    """Planted-outbreak detection and timings, default beside the former default."""
    rows, records = [], {}
    for name, loader in (("Demo district", demo_programme), ("Jawa Timur", jatim_programme)):
        if quick and name == "Jawa Timur":
            continue
        found_rows, records[name] = dataset(name, loader(), cold=not records)
        rows += found_rows
    print_table(f"Hot spots (median of {REPEATS}; esda n_jobs=1, numba threads="
                f"{numba.get_num_threads()})", rows)  # fmt: skip
    return {"repeats": REPEATS, "numba_threads": numba.get_num_threads(), "datasets": records,
            "rows": [r.as_dict() for r in rows]}  # fmt: skip


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
