"""The files of a demo folder (data/geo/README.md): one list for the writer and the loader.

:mod:`layers.demo.write` writes these names and :mod:`layers.demo.load` reads them back;
:data:`TABLES` says which store table each data file fills (the loader's counts and the
``impor_log`` kind of the trusted load).
"""

from __future__ import annotations

#: file key -> file name in the folder
FILES = {
    "desa": "desa.geojson",
    "penduduk": "penduduk.csv",
    "fasilitas": "fasilitas.csv",
    "kasus": "kasus_mingguan.csv",
    "kader": "kader.csv",
    "klaster": "klaster_tertanam.json",
    "demo": "demo.json",
}
#: file key -> the store table its rows go to (the planted clusters and demo.json stay files)
TABLES = {
    "desa": "wilayah",
    "penduduk": "penduduk",
    "fasilitas": "fasilitas",
    "kasus": "kasus_mingguan",
    "kader": "kader",
}
