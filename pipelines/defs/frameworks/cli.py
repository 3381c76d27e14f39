"""`borlange gpc export`: a kommun's GPC inventory as a CDP / GCoM CRF workbook.

    borlange gpc export [--kommun 2081] [--year 2024] --out FILE.xlsx [--warehouse PATH]

Reads marts.fct_gpc_inventory from the warehouse (read-only). Exit 0 written, 1 nothing to export
for that kommun and year (or no warehouse yet), 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.defs.frameworks.crf import CrfExportError, latest_year, write_crf_workbook
from pipelines.lib.cli_output import EXIT_OK, EXIT_PROBLEMS, workbook_export_target
from pipelines.lib.warehouse import read_only


def register(commands, handler) -> None:
    """`gpc export` under `borlange`; `handler(args)` (pipelines/cli.py) calls run_export."""
    gpc = commands.add_parser("gpc", help="the GPC inventory: export a CDP/GCoM CRF workbook")
    actions = gpc.add_subparsers(dest="gpc_command", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the CRF sector table for a kommun and year (.xlsx)",
        description=__doc__.split("\n\n")[0],
    )
    export.add_argument("--kommun", default=None, help="SCB kommun code (default: REPORT_KOMMUN)")
    export.add_argument(
        "--year",
        type=int,
        default=None,
        help="inventory year (default: REPORT_YEAR, else the newest)",
    )
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
    year = args.year or settings.report.year
    try:
        with read_only(warehouse) as con:
            name = con.execute(
                "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [kommun]
            ).fetchone()
            summary = write_crf_workbook(
                con,
                kommun,
                year or latest_year(con, kommun),
                args.out,
                kommun_namn=name[0] if name else None,
            )
    except CrfExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except duckdb.Error as error:
        print(f"error: cannot read {warehouse}: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"wrote {summary.path}: {summary.rows} CRF rows; BASIC {summary.basic_t:,.0f} t, "
        f"BASIC+ {summary.basic_plus_t:,.0f} t, territorial {summary.territorial_t:,.0f} t CO2e"
    )
    return EXIT_OK
