"""Print the nowcast's backtest table and Borlänge's nowcast, from the committed replay payloads.

    .venv/bin/python scripts/nowcast_backtest.py [--kommun 2081] [--rows rows.csv]

The same computation tests/nowcast/test_nowcast.py checks, and the nowcast asset runs on the
warehouse's loads (marts.fct_nowcast_backtest and its summary hold both origins).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from pipelines.defs.nowcast.backtest import backtest_origin, run_backtest
from pipelines.defs.nowcast.estimates import nowcast_emissions
from pipelines.defs.nowcast.model import fit_parameters
from pipelines.defs.nowcast.panel import national_series, sector_panel
from replay import nowcast_inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kommun", default="2081", help="kommun code to print the nowcast of")
    parser.add_argument("--through", type=int, default=2026, help="last year to nowcast")
    parser.add_argument("--rows", type=Path, help="also write fct_nowcast_backtest rows (CSV)")
    args = parser.parse_args(argv)
    national, updated = nowcast_inputs.national_frame()
    origins = [
        backtest_origin(
            nowcast_inputs.release(*origin),
            nowcast_inputs.release(*actual),
            national,
            gas=origin[0],
            origin_vintage=origin[1],
            actual_vintage=actual[1],
            national_vintage=updated,
        )
        for origin, actual in nowcast_inputs.ORIGINS
    ]
    result = run_backtest(origins)
    latest = sector_panel(
        nowcast_inputs.release("CO2e", "2026-06-25"), gas="CO2e", vintage="2026-06-25"
    )
    rows = nowcast_emissions(
        latest,
        national_series(national, gas="CO2e", vintage=updated),
        fit_parameters(latest),
        result.calibration("CO2e"),
        args.through,
    )
    with pl.Config(tbl_rows=60, tbl_cols=20, tbl_width_chars=220, float_precision=3):
        print(result.summary.drop("actual_vintage"))
        print(
            result.parameters.pivot("huvudsektor", index=["gas", "origin_vintage"], values="alpha")
        )
        print(result.parameters.pivot("huvudsektor", index=["gas", "origin_vintage"], values="phi"))
        print(
            result.common_change.pivot(
                "huvudsektor", index=["gas", "vintage", "year"], values="tonnes_share"
            )
        )
        print(
            rows.filter(pl.col("kommun_kod") == args.kommun).select(
                "huvudsektor",
                "year",
                "nowcast_t",
                "lower_80_t",
                "upper_80_t",
                "lower_95_t",
                "upper_95_t",
            )
        )
    if args.rows:
        result.rows.write_csv(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
