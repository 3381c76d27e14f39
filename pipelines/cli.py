"""`borlange`: the project's one command line.

    borlange demo [--live]                 the whole job (offline replay by default), then a summary
    borlange ui [--live] [--port 3000]     the Dagster UI on 127.0.0.1
    borlange api [--port 8000]             the open-data API over the serving copy (API_PORT)
    borlange trajectory (--emissions F | --kommun K) --method M ...   trajectory what-ifs
    borlange partners template|validate ...   partner submission templates and checks
    borlange validate partners|energy|meters FILE...  validate files of a feed before sending them
    borlange gpc export --year Y --out F.xlsx   the GPC inventory as a CDP/GCoM CRF workbook
    borlange plan export --out F.xlsx      the plan as NZC Climate City Contract and SECAP tables
    borlange mirror [TABLE...]             copy raw tables to PostgreSQL (DBT_TARGET=postgres)
    borlange dbt ARGS...                   dbt on the project with the pipeline's settings as vars

Exit codes, for every subcommand: 0 success, 1 the input has problems, 2 a usage error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from pipelines.defs.energy import cli as energy_cli
from pipelines.defs.frameworks import cli as frameworks_cli
from pipelines.defs.meters import cli as meters_cli
from pipelines.defs.partners import cli as partners_cli
from pipelines.defs.plan import cli as plan_cli
from pipelines.defs.trajectory import cli as trajectory_cli
from pipelines.lib.cli_output import EXIT_OK, EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borlange",
        description=__doc__.split("\n\n")[0],
        epilog="Exit codes: 0 success, 1 the input has problems, 2 a usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="run the whole job into the warehouse, then print the headline figures"
    )
    demo.add_argument(
        "--live", action="store_true", help="use the live SMHI and SCB APIs instead of the replay"
    )
    demo.set_defaults(handler=run_demo)

    ui = commands.add_parser("ui", help="the Dagster UI on 127.0.0.1 (offline replay by default)")
    ui.add_argument("--live", action="store_true", help="use the live SMHI and SCB APIs")
    ui.add_argument("--port", default="3000")
    ui.set_defaults(handler=run_ui)

    api = commands.add_parser(
        "api", help="the open-data API over the published serving copy, on API_HOST:API_PORT"
    )
    api.add_argument("--port", type=int, default=None, help="overrides API_PORT (default 8000)")
    api.set_defaults(handler=run_api)

    trajectory_cli.register(commands)
    partners_cli.register(commands)
    frameworks_cli.register(commands, run_gpc_export)
    plan_cli.register(commands, run_plan_export)

    validate = commands.add_parser(
        "validate", help="validate files of a feed (exit 0 valid, 1 problems)"
    )
    feeds = validate.add_subparsers(dest="feed", required=True, metavar="FEED")
    partners_cli.add_validate_arguments(
        feeds.add_parser("partners", help="partner submissions (.xlsx, .csv)")
    )
    energy_cli.register_validate(feeds)
    meters_cli.register_validate(feeds)

    mirror = commands.add_parser(
        "mirror", help="copy DuckDB tables to PostgreSQL (libpq's PG* variables)"
    )
    mirror.add_argument(
        "--warehouse", type=Path, default=None, help="DuckDB file (default: WAREHOUSE_PATH)"
    )
    mirror.add_argument(
        "tables", nargs="*", help="schema or schema.table (default: raw and trajectory)"
    )
    mirror.set_defaults(handler=run_mirror)

    dbt = commands.add_parser("dbt", help="dbt on the project, e.g. `borlange dbt docs generate`")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments for dbt")
    dbt.set_defaults(handler=run_dbt)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pipelines.settings import Settings, SettingsError

    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "check"):
        args.check(args)
    try:
        # Every subcommand refuses an environment it cannot use, even one that reads no setting.
        args.settings = Settings.from_env()
    except SettingsError as invalid:  # a usage error: one line naming the variables, no traceback
        print(f"borlange: {invalid}", file=sys.stderr)
        return EXIT_USAGE
    return args.handler(args)


def run_demo(args: argparse.Namespace) -> int:
    from pipelines import demo

    return demo.main(args.settings, live=args.live)


def run_ui(args: argparse.Namespace) -> int:
    from pipelines import ui

    return ui.main(live=args.live, port=args.port)


def run_gpc_export(args: argparse.Namespace) -> int:
    return frameworks_cli.run_export(args, args.settings)


def run_plan_export(args: argparse.Namespace) -> int:
    return plan_cli.run_export(args, args.settings)


def run_api(args: argparse.Namespace) -> int:
    from pipelines.api import server

    settings = args.settings
    if args.port is not None:
        if not 1 <= args.port <= 65535:
            print(
                f"borlange api: --port must be between 1 and 65535, not {args.port}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        settings = settings.updated(api={"port": args.port})
    return server.main(settings)


def run_mirror(args: argparse.Namespace) -> int:
    from pipelines.lib.postgres_mirror import DEFAULT_TABLES, mirror

    settings = args.settings
    warehouse = args.warehouse or settings.warehouse.path
    started = time.perf_counter()
    copied = mirror(
        warehouse, args.tables or list(DEFAULT_TABLES), sslmode=settings.postgres.sslmode
    )
    for name, rows in copied.items():
        print(f"{name:40} {rows:>10,} rows")
    print(f"copied {len(copied)} tables from {warehouse} in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def run_dbt(args: argparse.Namespace) -> int:
    from pipelines.lib.dbt import dbt_command

    if not args.dbt_args:
        print("error: name a dbt command, e.g. `borlange dbt docs generate`", file=sys.stderr)
        return EXIT_USAGE
    return subprocess.call(dbt_command(args.settings, args.dbt_args))


if __name__ == "__main__":
    sys.exit(main())
