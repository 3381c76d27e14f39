"""The plan's Dagster definitions: none yet. Issue 24's second phase wires the scenario, impact,
Monte Carlo, economics and tracking assets and their checks here, once the seams of issue 20
(resources, domain-owned raw tables, the feed Problem vocabulary) have landed. The folder must
still answer `load_domains`, which imports every domain's assets module."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    return dg.Definitions()
