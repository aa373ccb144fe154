"""The synthetic district *Kabupaten Contoh (fiktif)*: villages, kecamatan, codes, names.

Geometry comes from :mod:`.tessellate`; this module groups the villages into contiguous
kecamatan, numbers them like Kemendagri codes (``99.01.CC.DDDD``; 7th digit ``1`` for
the kelurahan around the main town, ``2`` for desa) and names them.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from .names import place_names
from .rng import stream
from .tessellate import LocalPlane, tessellate

KODE_PROV = "99"
NAMA_PROV = "Provinsi Contoh (fiktif)"
KODE_KAB = "99.01"
NAMA_KAB = "Kabupaten Contoh (fiktif)"
#: property columns of a village layer, in the order of data/geo/README.md
VILLAGE_COLUMNS = [
    "kode_desa", "kode_desa_10", "nama_desa", "jenis", "kode_kec", "nama_kec",
    "kode_kab", "nama_kab", "kode_prov",
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticDistrict:
    """A generated district.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        One row per village, columns :data:`VILLAGE_COLUMNS` + geometry (EPSG:4326),
        sorted by ``kode_desa``.
    outline : shapely.Polygon
        The district outline, rebuilt from the coast edges only (for checks).
    """

    villages: gpd.GeoDataFrame
    outline: Polygon


def synthetic_district(
    seed: int,
    n_villages: int = 250,
    n_kecamatan: int = 18,
    n_kelurahan: int = 8,
    centre: tuple[float, float] = (112.0, -5.3),
    size_km: tuple[float, float] = (50.0, 45.0),
) -> SyntheticDistrict:
    """Generate the fictional district.

    Parameters
    ----------
    seed : int
        Master seed; the same seed gives the same district.
    n_villages, n_kecamatan, n_kelurahan : int
        How many villages, kecamatan and (of the villages) kelurahan.
    centre : tuple of float
        ``(lon, lat)`` of the island's centre (default: the Java Sea, no land).
    size_km : tuple of float
        Approximate east-west and north-south extent.

    Returns
    -------
    SyntheticDistrict
    """
    if not 1 <= n_kecamatan <= min(99, n_villages):
        raise ValueError("n_kecamatan must be between 1 and min(99, n_villages)")
    if not 0 <= n_kelurahan <= n_villages:
        raise ValueError("n_kelurahan must be between 0 and n_villages")
    rng = stream(seed, "geometry")
    width, height = size_km[0] * 1000.0, size_km[1] * 1000.0
    # the main town: near the south coast, west of centre (facing Java)
    town = (-0.18 * width, -0.30 * height)
    tes = tessellate(rng, LocalPlane(*centre), n_villages, width, height, town)
    seeds = tes.seeds_m
    centres = _kmeans(seeds, n_kecamatan, stream(seed, "kecamatan"))
    kec = _grow_regions(seeds, centres, tes.adjacency)
    # kecamatan 01 holds most villages next to the town; the rest are numbered outward
    town_dist = np.hypot(*(seeds - town).T)
    nearest = kec[np.argsort(town_dist, kind="stable")[: max(1, n_kelurahan)]]
    first = int(np.bincount(nearest, minlength=n_kecamatan).argmax())
    order = sorted(
        range(n_kecamatan),
        key=lambda c: (c != first, float(np.hypot(*(centres[c] - town)))),
    )
    kec_no = np.empty(n_kecamatan, dtype=int)
    kec_no[order] = np.arange(1, n_kecamatan + 1)
    village_kec = kec_no[kec]
    near_town = np.flatnonzero(village_kec <= min(2, n_kecamatan))
    kelurahan = set(near_town[np.argsort(town_dist[near_town], kind="stable")][:n_kelurahan])
    names = place_names(n_villages, stream(seed, "names"))
    rows = []
    kec_names: dict[int, str] = {}
    for c in range(1, n_kecamatan + 1):
        members = np.flatnonzero(village_kec == c)
        centre_c = seeds[members].mean(axis=0)
        members = members[np.argsort(np.hypot(*(seeds[members] - centre_c).T), kind="stable")]
        kec_names[c] = names[members[0]]
        counters = {"1": 0, "2": 0}
        for v in members:
            digit = "1" if v in kelurahan else "2"
            counters[digit] += 1
            kode = f"{KODE_KAB}.{c:02d}.{digit}{counters[digit]:03d}"
            rows.append((v, kode, digit))
    table = []
    for v, kode, digit in rows:
        c = int(kode.split(".")[2])
        table.append(
            {
                "kode_desa": kode,
                "kode_desa_10": kode.replace(".", ""),
                "nama_desa": names[v],
                "jenis": "kelurahan" if digit == "1" else "desa",
                "kode_kec": kode.rsplit(".", 1)[0],
                "nama_kec": kec_names[c],
                "kode_kab": KODE_KAB,
                "nama_kab": NAMA_KAB,
                "kode_prov": KODE_PROV,
                "geometry": tes.polygons[v],
            }
        )
    villages = gpd.GeoDataFrame(pd.DataFrame(table), geometry="geometry", crs="EPSG:4326")
    villages = villages.sort_values("kode_desa", kind="stable").reset_index(drop=True)
    return SyntheticDistrict(villages=villages, outline=tes.outline)


def _kmeans(
    points: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 20
) -> np.ndarray:
    """Plain Lloyd k-means, started from a spread-out (k-means++ style) choice."""
    centres = [points[int(rng.integers(len(points)))]]
    for _ in range(1, k):
        d2 = np.min([np.sum((points - c) ** 2, axis=1) for c in centres], axis=0)
        centres.append(points[int(rng.choice(len(points), p=d2 / d2.sum()))])
    cent = np.array(centres)
    for _ in range(iterations):
        label = np.argmin(((points[:, None, :] - cent[None]) ** 2).sum(-1), axis=1)
        for j in range(k):
            if np.any(label == j):
                cent[j] = points[label == j].mean(axis=0)
    return cent


def _grow_regions(
    points: np.ndarray, centres: np.ndarray, adjacency: list[list[int]]
) -> np.ndarray:
    """Assign villages to centres by growing regions over shared edges.

    A village joins the region of a neighbouring, already-assigned village, the
    nearest centre first (a Dijkstra-like sweep), so every region is contiguous.
    """
    label = np.full(len(points), -1)
    heap: list[tuple[float, int, int]] = []
    taken: set[int] = set()
    for c, centre in enumerate(centres):
        d = np.hypot(*(points - centre).T)
        d[list(taken)] = np.inf
        start = int(np.argmin(d))
        taken.add(start)
        heapq.heappush(heap, (0.0, start, c))
    while heap:
        _, v, c = heapq.heappop(heap)
        if label[v] >= 0:
            continue
        label[v] = c
        for nb in adjacency[v]:
            if label[nb] < 0:
                heapq.heappush(heap, (float(np.hypot(*(points[nb] - centres[c]))), nb, c))
    for v in np.flatnonzero(label < 0):  # only for a disconnected adjacency graph
        label[v] = int(np.argmin(np.hypot(*(centres - points[v]).T)))
    return label
