"""The lokakarya mini deck (issue 11): slides built live from the store, as pure data.

:mod:`.deck` (the slide model, the registry of slide kinds, building a deck),
:mod:`.suppress` (small-count suppression for documents that leave the office),
:mod:`.decks` (the saved deck of a region), :mod:`.notulen` (meeting minutes) and the
slide kinds in :mod:`.slides`. Rendered by the presentation page (``dashboard/``), the PPTX
and PDF exports; maps as server-side images (:mod:`layers.render`).
"""
