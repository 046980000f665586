"""Benchmarks: each one compares against a baseline measured in the same run (see README)."""
