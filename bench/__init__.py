"""Benchmarks: scripts that measure and print; run them as `python bench/<name>.py`."""
