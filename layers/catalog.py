"""Every module that registers map layers, point overlays or village panel sections.

The map page and the registry tests import this module instead of listing modules
themselves, so a new layer module is added here (one line) and nowhere else.
"""

from layers import facility_points, indicators  # noqa: F401
from layers.diarrhoea import maplayers, panel  # noqa: F401
from layers.kader import maplayer as kader_maplayer  # noqa: F401
from layers.kader import panel as kader_panel  # noqa: F401
from layers.pustu import maplayer, overlay  # noqa: F401
from layers.pustu import panel as pustu_panel  # noqa: F401
