"""Benchmarks: chatlint against a regex alternation, a minimal lemma matcher and yargy.

Run ``python -m bench`` from the repository root (docs/bench.md).
"""
