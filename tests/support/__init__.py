"""Helpers shared by tests, benchmarks and the fuzzer (no fixtures here; importable from anywhere)."""
