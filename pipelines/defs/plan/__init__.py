"""The plan: actions as changes to what emits, the scenario engine, economics, measured results.

Plain Python and polars (no Dagster): actions.py (the action and activity model and its
loader), engine.py (business as usual, the plan, any subset; impacts and overlaps),
montecarlo.py (P10/P50/P90 and the probabilities of meeting the targets), economics.py
(annualised cost, cost per tonne, the MAC curve, the climate-investment plan) and measured.py
(weather-corrected meter results, reported against expected, action tracking).
"""
