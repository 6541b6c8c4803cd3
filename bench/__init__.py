"""Benchmarks: `make bench` (or `python -m bench`). Figures are printed as a table, never asserted."""
