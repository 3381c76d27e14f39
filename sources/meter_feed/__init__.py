"""Borlänge Energi's meter values: the feed contract and its streaming validator (plain Python, no
Dagster)."""
