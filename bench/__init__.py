"""Benchmarks: `python bench/run.py --help`. Not part of the test suite."""
