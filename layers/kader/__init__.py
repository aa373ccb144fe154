"""Kader (posyandu cadre) competency: levels, skill gaps per posyandu and village, and
where to train first (design.md §4 ``kader``; domain.md §1).

Pure domain code: :mod:`.skills` (the 25-skill lookup), :mod:`.strata` (the level rule, as
data), :mod:`.roster` (the scoped store read), :mod:`.gaps` (vectorised aggregation),
:mod:`.priority` (training priority), :mod:`.maplayer`, :mod:`.panel`, :mod:`.export`.
"""
