"""The trajectory assets: every method preset in seeds/trajectory_methods.csv run over all 290
kommuner with polars, written to trajectory.summary (one row per kommun and method; dbt publishes
it as marts.trajectory) and trajectory.yearly_paths (per year, for fct_carbon_budget and the
charts), plus the reporting kommun's charts and one asset check per method; and the same for every
län. The inputs are dbt models (intermediate.int_trajectory__*); these assets write only the
trajectory schema. The work is plain Python: runs.py, lan.py, charts.py, tables.py, verdicts.py."""

import dagster as dg
import polars as pl

from pipelines.defs.trajectory import charts
from pipelines.defs.trajectory.lan import LAN_INPUT, run_lan_presets
from pipelines.defs.trajectory.presets import MethodPreset, load_presets
from pipelines.defs.trajectory.runs import PARTNER_INPUT, partner_exclusions, run_all_presets
from pipelines.defs.trajectory.tables import replace_tables
from pipelines.defs.trajectory.verdicts import check_name, on_track, reporting_table
from pipelines.resources import ReportResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

SUMMARY_KEY = dg.AssetKey(["trajectory", "summary"])
YEARLY_KEY = dg.AssetKey(["trajectory", "yearly_paths"])
UPSTREAM = [
    dg.AssetKey(["intermediate", "int_trajectory__emissions"]),
    dg.AssetKey(["intermediate", "int_trajectory__partner_scope1"]),
    dg.AssetKey(["marts", "dim_kommun"]),
    dg.AssetKey(["reference", "trajectory_methods"]),
]
TRAJECTORY_READS = ("intermediate.int_trajectory__emissions", PARTNER_INPUT, "marts.dim_kommun")
TRAJECTORY_WRITES = ("trajectory.summary", "trajectory.yearly_paths")


def on_track_check(summary_row: dict | None, method: str) -> dg.AssetCheckResult:
    """The reporting kommun under one method: pass when on a Paris-aligned path, WARN with the
    gap in tonnes and years otherwise."""
    verdict = on_track(summary_row, method)
    return dg.AssetCheckResult(
        check_name=check_name(method),
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=verdict.metadata,
    )


def trajectory_check_specs(presets: dict[str, MethodPreset]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            check_name(m),
            asset=SUMMARY_KEY,
            description=f"Borlänge on a Paris-aligned path under {m}; WARN with the gap in "
            "tonnes and years if not.",
        )
        for m in presets
    ]


@dg.multi_asset(
    name="trajectory",
    check_specs=trajectory_check_specs(load_presets()),
    specs=[
        dg.AssetSpec(
            SUMMARY_KEY,
            deps=UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description="Is each kommun on a Paris-aligned path, and when does its budget run out? "
            "One row per kommun and method preset (published as marts.trajectory).",
        ),
        dg.AssetSpec(
            YEARLY_KEY,
            deps=UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description="Per kommun, method and year: emissions used and the allowed path.",
        ),
    ],
    pool=DUCKDB_POOL,
)
def trajectory(warehouse: WarehouseResource, report: ReportResource):
    presets = load_presets()
    with warehouse.connect(TRAJECTORY_READS, TRAJECTORY_WRITES) as con:
        run = run_all_presets(con, presets, report.trajectory_as_of_year)
        replace_tables(con, {"summary": run.summary, "yearly_paths": run.yearly})
        kommun_namn = con.execute(
            "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [report.kommun]
        ).fetchall()[0][0]
    written = charts.write_charts(run, report.path, report.kommun, kommun_namn)
    reporting = run.summary.filter(pl.col("kommun_kod") == report.kommun)
    yield dg.MaterializeResult(
        asset_key=SUMMARY_KEY,
        metadata={
            "as_of_year": report.trajectory_as_of_year,
            "methods": ", ".join(presets),
            "rows": run.summary.height,
            "reporting_kommun": dg.MetadataValue.md(reporting_table(reporting)),
            "charts": dg.MetadataValue.md(charts.chart_markdown(written)),
            **{f"chart_{m}": dg.MetadataValue.path(str(f["html"])) for m, f in written.items()},
        },
    )
    yield dg.MaterializeResult(asset_key=YEARLY_KEY, metadata={"rows": run.yearly.height})
    rows = {r["method"]: r for r in reporting.iter_rows(named=True)}
    for method in presets:
        yield on_track_check(rows.get(method), method)


LAN_SUMMARY_KEY = dg.AssetKey(["trajectory", "lan_summary"])
LAN_YEARLY_KEY = dg.AssetKey(["trajectory", "lan_yearly_paths"])
LAN_UPSTREAM = [
    dg.AssetKey(["intermediate", "int_trajectory__lan_emissions"]),
    dg.AssetKey(["intermediate", "int_trajectory__partner_scope1"]),
    dg.AssetKey(["marts", "dim_kommun"]),
    dg.AssetKey(["reference", "trajectory_methods"]),
]


@dg.multi_asset(
    name="trajectory_lan",
    specs=[
        dg.AssetSpec(
            LAN_SUMMARY_KEY,
            deps=LAN_UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description="Each län's trajectory under every method preset not restricted to named "
            "kommuner (SMHI's own län totals; published as marts.trajectory_lan).",
        ),
        dg.AssetSpec(
            LAN_YEARLY_KEY,
            deps=LAN_UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description="Per län, method and year: emissions used and the allowed path.",
        ),
    ],
    pool=DUCKDB_POOL,
)
def trajectory_lan(warehouse: WarehouseResource, report: ReportResource):
    presets = load_presets()
    with warehouse.connect(
        (LAN_INPUT, PARTNER_INPUT, "marts.dim_kommun"),
        ("trajectory.lan_summary", "trajectory.lan_yearly_paths"),
    ) as con:
        summary, yearly = run_lan_presets(
            con, presets, report.trajectory_as_of_year, partner_exclusions
        )
        replace_tables(con, {"lan_summary": summary, "lan_yearly_paths": yearly})
    yield dg.MaterializeResult(
        asset_key=LAN_SUMMARY_KEY,
        metadata={
            "rows": summary.height,
            "methods": ", ".join(sorted(summary.get_column("method").unique().to_list())),
        },
    )
    yield dg.MaterializeResult(asset_key=LAN_YEARLY_KEY, metadata={"rows": yearly.height})
