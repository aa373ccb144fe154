"""Villages without a Pustu (issue 9): the gap layer, access, summaries, panel, planner.

ILP wants one Pustu (*Puskesmas Pembantu*) in every village, staffed by at least one perawat
and one bidan. Pure modules (never Dash):

* :mod:`.access` — populated points, UTM zones, straight-line distances, the sparse
  coverage matrix the planner uses;
* :mod:`.classes` — each village's Pustu class from its facilities;
* :mod:`.summary` — per kecamatan / kabupaten figures and progress toward a target year;
* :mod:`.service` — scoped orchestration on the store (reads through
  :mod:`layers.store.queries`);
* :mod:`.maplayer` (layer ``pustu``), :mod:`.overlay` (overlay ``status_pustu``),
  :mod:`.panel` (panel section ``pustu``), :mod:`.gaps_book` (the gap list as XLSX);
* the planner: :mod:`.planner`, :mod:`.ranking`, :mod:`.plans`, :mod:`.export`.
"""
