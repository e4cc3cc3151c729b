"""Benchmarks: one script per claim, each against a baseline in the same run."""
