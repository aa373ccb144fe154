"""Deterministic demo data: a fictional district and its programme data.

``generate_demo`` writes a folder in the canonical input formats (data/geo/README.md):
village polygons of the synthetic *Kabupaten Contoh (fiktif)* (code ``99.01``, an island
in the Java Sea) or of a real boundary file, plus population, facilities, cadres and
weekly diarrhoea cases with planted outbreaks. The same seed gives the same bytes.

Modules: :mod:`.tessellate` (exact village coverage), :mod:`.district` (kecamatan,
codes, names), :mod:`.programme` (population, facilities), :mod:`.kader`,
:mod:`.cases`, :mod:`.write` (files).
"""

from .write import generate_demo

__all__ = ["generate_demo"]
