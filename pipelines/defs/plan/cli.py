"""`borlange plan export`: the plan as NetZeroCities Climate City Contract tables and a SECAP
action table.

    borlange plan export [--kommun 2081] --out FILE.xlsx [--warehouse PATH]

Reads the plan's marts from the warehouse (read-only). Exit 0 written, 1 nothing to export for that
kommun (or no warehouse yet), 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.defs.plan.export import PlanExportError, write_plan_workbook
from pipelines.lib.cli_output import EXIT_OK, EXIT_PROBLEMS, workbook_export_target
from pipelines.lib.warehouse import read_only


def register(commands, handler) -> None:
    """`plan export` under `borlange`; `handler(args)` (pipelines/cli.py) calls run_export."""
    plan = commands.add_parser("plan", help="the plan: export the Climate City Contract tables")
    actions = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the NZC Climate City Contract and SECAP tables for a kommun (.xlsx)",
        description=__doc__.split("\n\n")[0],
    )
    export.add_argument("--kommun", default=None, help="SCB kommun code (default: REPORT_KOMMUN)")
    export.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    export.add_argument(
        "--warehouse", type=Path, default=None, help="DuckDB file (default: WAREHOUSE_PATH)"
    )
    export.set_defaults(handler=handler)


def run_export(args: argparse.Namespace, settings) -> int:
    """`settings`: the pipeline's Settings (read by the entry point)."""
    target = workbook_export_target(args, settings)
    if isinstance(target, int):
        return target
    kommun, warehouse = target
    try:
        with read_only(warehouse) as con:
            names = con.execute(
                "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [kommun]
            ).fetchall()
            summary = write_plan_workbook(
                con, kommun, args.out, kommun_namn=names[0][0] if names else None
            )
    except PlanExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except duckdb.Error as error:
        print(f"error: cannot read {warehouse}: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"wrote {summary.path}: {summary.actions} actions; {summary.goal_year} business as usual "
        f"{summary.bau_t:,.0f} t, plan {summary.plan_t:,.0f} t CO2e; investment "
        f"{summary.investment_sek:,.0f} SEK, unsecured {summary.gap_sek:,.0f} SEK"
        + (" (SYNTHETIC portfolio)" if summary.is_synthetic else "")
    )
    return EXIT_OK
