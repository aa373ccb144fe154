"""Benchmarks of the PWS-ILP map: ``python -m bench`` (``make bench``).

Each benchmark prints every figure beside a baseline measured in the same run (a ratio),
as medians of several repetitions, and writes its record to ``bench/out/<name>.json``.
No timing is asserted anywhere: machines are noisy and the figures are for reading.
"""
