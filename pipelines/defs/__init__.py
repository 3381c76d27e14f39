"""One folder per domain. Each domain's `assets.py` holds its assets, checks, sensors, jobs and
schedules and ends in `definitions(settings) -> dg.Definitions`; its plain Python (loads.py,
compute.py, ...) sits beside it. `load_domains` finds every domain folder, so a new feed is a new
folder here."""

from __future__ import annotations

import importlib
import pkgutil

import dagster as dg

from pipelines.settings import Settings


def domain_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def load_domains(settings: Settings) -> list[dg.Definitions]:
    return [
        importlib.import_module(f"{__name__}.{name}.assets").definitions(settings)
        for name in domain_names()
    ]
