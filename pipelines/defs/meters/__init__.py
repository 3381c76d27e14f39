"""Borlänge Energi's meter values: inbox, lake partitions, reconciliation (assets.py; plain Python
in loads.py, cli.py)."""
