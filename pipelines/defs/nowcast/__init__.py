"""The nowcast: each kommun's emissions, by SMHI main sector and gas, for the years after SMHI's
last one, with 80 % and 95 % ranges, and its backtest against SMHI's later releases.

Plain Python and polars (no Dagster): panel.py (inputs), model.py (the method), intervals.py
(split-conformal ranges), backtest.py (the marts fct_nowcast_backtest and its summary),
estimates.py (the nowcast itself), paris.py (the probability of staying on the Paris path),
loads.py and raw_tables.py (the national indicator into raw), run.py (one run over the warehouse's
releases, and the backtest's targets) and tables.py (the nowcast schema). assets.py wires them into
Dagster.
"""
