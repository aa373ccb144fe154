"""The map page's side tools, in the order they are shown above the village panel.

A tool is a module with ``section(lang)`` (its part of the side area) and
``register(app)`` (its callbacks). Tools work on the map's scope, period and filter;
they are dashboard code (rendering and jobs), their numbers come from ``layers/``.
"""

from __future__ import annotations

from types import ModuleType

from dashboard.pages import peta_kader, peta_pustu, peta_scan

TOOLS: tuple[ModuleType, ...] = (peta_scan, peta_pustu, peta_kader)
