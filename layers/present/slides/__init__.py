"""The registered slide kinds of the lokakarya mini deck, in their default order:
:mod:`.judul` (title), :mod:`.diare` (diarrhoea this week), :mod:`.pustu` (villages without a
Pustu and the saved plan), :mod:`.kader` (kader levels and skill gaps),
:mod:`.tindak_lanjut` (villages needing follow-up), :mod:`.penutup` (agreed actions).
Importing this package registers them; documented in ``docs/presentation.md``.
"""

from layers.present.slides import diare, judul, kader, penutup, pustu, tindak_lanjut  # noqa: F401
