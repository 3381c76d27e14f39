"""One folder per domain: its assets, checks, sensors, jobs and schedules in assets.py, which
Dagster finds by itself (pipelines/definitions.py), its plain Python beside it (loads.py,
compute.py, ...), and the DDL of the raw tables it writes in raw_tables.py. A new feed is a new
folder here.

Importing this package declares every domain's raw tables (pipelines/lib/warehouse.py), so that
whichever domain connects first, every raw table exists and dbt can always build."""

import importlib.util
import pkgutil


def domain_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def raw_table_modules() -> list[str]:
    """The module of each domain that declares raw tables."""
    return [
        f"{__name__}.{name}.raw_tables"
        for name in domain_names()
        if importlib.util.find_spec(f"{__name__}.{name}.raw_tables") is not None
    ]


for _module in raw_table_modules():
    importlib.import_module(_module)
