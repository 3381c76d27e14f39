"""The open-data API over the published serving copy (FastAPI; no Dagster): app.py builds it
from routers/, dependencies.py, problems.py, schemas.py and middleware.py; server.py runs it."""
