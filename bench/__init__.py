"""Benchmarks: a synthetic corpus, newsdesk and an SQLite FTS5 baseline, measured in one run."""
