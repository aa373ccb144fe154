"""Every map-layer module, imported once so that all layers are registered.

The map page and the registry test import this module instead of listing layer modules
themselves, so a new layer module is added here and nowhere else.
"""

from layers import indicators  # noqa: F401
from layers.diarrhoea import maplayers  # noqa: F401
