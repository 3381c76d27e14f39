"""The code location: `dagster dev -w workspace.yaml` and `dagster definitions validate` load `defs`.

This reads the settings once, merges every domain's definitions (pipelines/defs/), and adds
what holds for all of them: the resources and the executor."""

from __future__ import annotations

import dagster as dg

from pipelines.defs import load_domains
from pipelines.resources import resources_for
from pipelines.settings import Settings

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


def executor_for(name: str) -> dg.ExecutorDefinition:
    if name not in EXECUTORS:
        raise ValueError(f"DAGSTER_EXECUTOR={name!r}: expected one of {', '.join(EXECUTORS)}")
    return EXECUTORS[name]


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions.merge(
        *load_domains(settings),
        dg.Definitions(resources=resources_for(settings), executor=executor_for(settings.executor)),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Built when a Dagster tool loads the location, not at import."""
    return build_definitions()
