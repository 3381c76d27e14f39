"""The plan in Dagster. Its assets (scenarios, impacts, Monte Carlo, economics, tracking) and their
checks are wired on top of the plain modules beside this file."""
