"""Lighthouse benchmark (npm lighthouse in this folder, run by run.py)."""
