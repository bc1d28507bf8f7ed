"""Benchmarks: gas of the key flows (snapshots/gas.json) and wall-clock figures (benchmarks/)."""
