"""Diarrhoea clusters: weekly alerts, KLB signals, hot spots and the space-time scan.

One module per method, in the style of PySAL esda: ``alerts`` (SKDR-style weekly rules and
CDC EARS C1/C2/C3), ``klb`` (Permenkes 1501/2010 Pasal 6 signals), ``hotspots`` (Getis-Ord
Gi* and Local Moran's I through esda, FDR-corrected) and ``scan`` (Kulldorff's prospective
space-time scan statistic, Poisson model, written here because no maintained Python package
does it). Everything is pure: no Dash, no database session beyond the scoped queries.
"""
