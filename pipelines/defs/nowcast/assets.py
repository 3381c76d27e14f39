"""The nowcast in Dagster: nothing yet. Its assets (the national indicator's raw load, the
backtest and nowcast marts, the eager automation) are wired once the resource and raw-table
seams of issue 20 land; the plain modules beside this file are what they will call."""

import dagster as dg

from pipelines.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    return dg.Definitions()
