"""Benchmarks and the synthetic data they run on (scripts that print figures, not timed tests)."""
