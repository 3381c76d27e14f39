"""The nowcast in Dagster. Its assets (the national indicator's raw load, the backtest and the
nowcast, eager automation) are wired on top of the plain modules beside this file."""
