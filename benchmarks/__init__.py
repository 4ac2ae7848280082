"""Benchmarks: scripts that print tables.

Run them from the project root as modules: ``python -m benchmarks.bench_build``.
"""
