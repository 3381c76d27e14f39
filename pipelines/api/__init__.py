"""The open-data API over the published serving copy (FastAPI; no Dagster): app.py, builds.py."""
