"""The trajectory assets: every method preset in seeds/trajectory_methods.csv run over all 290
kommuner with polars, written to trajectory.summary (one row per kommun and method; dbt publishes
it as marts.trajectory) and trajectory.yearly_paths (per year, for fct_carbon_budget and the
charts), plus the reporting kommun's charts and one asset check per method. The inputs are dbt
models (intermediate.int_trajectory__*); this module writes only the trajectory schema."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.trajectory import charts
from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset, load_presets
from pipelines.lib import engine, warehouse
from pipelines.settings import DUCKDB_POOL, Settings

SUMMARY_KEY = dg.AssetKey(["trajectory", "summary"])
YEARLY_KEY = dg.AssetKey(["trajectory", "yearly_paths"])
EMISSIONS_INPUT = "intermediate.int_trajectory__emissions"
PARTNER_INPUT = "intermediate.int_trajectory__partner_scope1"
UPSTREAM = [
    dg.AssetKey(["intermediate", "int_trajectory__emissions"]),
    dg.AssetKey(["intermediate", "int_trajectory__partner_scope1"]),
    dg.AssetKey(["marts", "dim_kommun"]),
    dg.AssetKey(["reference", "trajectory_methods"]),
]
TRAJECTORY_READS = (EMISSIONS_INPUT, PARTNER_INPUT, "marts.dim_kommun")
TRAJECTORY_WRITES = ("trajectory.summary", "trajectory.yearly_paths")


def latest_release_totals(con: duckdb.DuckDBPyConnection, gas: str) -> pl.DataFrame:
    """Total emissions per kommun and year from the newest SMHI release of `gas` only (the trend
    must not mix releases: the 2026 release has no 2016–2019), with the cement process CO2."""
    return con.sql(
        f"select kommun_kod, year, tonnes, cement_t from {EMISSIONS_INPUT} where gas = ? "
        "order by kommun_kod, year",
        params=[gas],
    ).pl()


def without_cement(emissions: pl.DataFrame, cement: pl.DataFrame) -> pl.DataFrame:
    """Emissions less cement process CO2 (Klimatkollen's budget scope: a global overhead in the IPCC budget)."""
    return (
        emissions.join(cement, on=["kommun_kod", "year"], how="left")
        .with_columns(pl.col("tonnes") - pl.col("cement_t").fill_null(0.0))
        .drop("cement_t")
    )


def partner_exclusions(con: duckdb.DuckDBPyConnection, partner: str) -> pl.DataFrame | None:
    """A partner's own scope-1 emissions inside the territory, per kommun and year, to take out of
    a scope (Borlänge's own budget excludes SSAB). None until the partner has submitted.
    Partners report t CO2e; for a steelworks scope 1 is almost entirely fossil CO2, so the figure
    stands in for CO2 in a CO2-only scope (the row's `source` says so)."""
    rows = con.sql(
        f"select kommun_kod, year, tonnes, source from {PARTNER_INPUT} where partner_id = lower(?)",
        params=[partner],
    ).pl()
    return rows if rows.height else None


def scope_inputs(
    con: duckdb.DuckDBPyConnection, preset: MethodPreset
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The emissions a preset works on, and what its scope takes out."""
    totals = latest_release_totals(con, preset.gas)
    emissions = totals.select("kommun_kod", "year", "tonnes")
    if preset.deducts == "cement":
        emissions = without_cement(
            emissions, totals.select("kommun_kod", "year", "cement_t").drop_nulls()
        )
    exclusions = partner_exclusions(con, preset.excludes) if preset.excludes else None
    return emissions, exclusions


@dataclass(frozen=True)
class TrajectoryRun:
    summary: pl.DataFrame
    yearly: pl.DataFrame


def run_all_presets(
    con: duckdb.DuckDBPyConnection, presets: dict[str, MethodPreset], as_of_year: int
) -> TrajectoryRun:
    summaries, yearlies = [], []
    for preset in presets.values():
        emissions, exclusions = scope_inputs(con, preset)
        result = compute_trajectories(emissions, preset, as_of_year, exclusions=exclusions)
        summaries.append(result.summary)
        yearlies.append(result.yearly)
    return TrajectoryRun(
        pl.concat(summaries, how="diagonal_relaxed"), pl.concat(yearlies, how="diagonal_relaxed")
    )


def publish(con: duckdb.DuckDBPyConnection, run: TrajectoryRun) -> None:
    """Replace both tables in one transaction: readers never see one without the other."""
    summary, yearly = run.summary, run.yearly  # noqa: F841 - read by DuckDB's replacement scan
    with warehouse.transaction(con):
        con.execute("create schema if not exists trajectory")
        con.execute("create or replace table trajectory.summary as select * from summary")
        con.execute("create or replace table trajectory.yearly_paths as select * from yearly")


def write_charts(
    run: TrajectoryRun, reports_dir: Path, kommun_kod: str, kommun_namn: str
) -> dict[str, dict]:
    """PNG and HTML per method for one kommun; returns {method: {png, html, png_bytes}}."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for summary in run.summary.filter(pl.col("kommun_kod") == kommun_kod).iter_rows(named=True):
        yearly = run.yearly.filter(
            (pl.col("kommun_kod") == kommun_kod) & (pl.col("method") == summary["method"])
        )
        if yearly.height == 0:
            continue
        data = charts.chart_data(yearly, summary, kommun_namn)
        stem = reports_dir / f"trajectory_{kommun_kod}_{summary['method']}"
        png = charts.render_png(data)
        stem.with_suffix(".png").write_bytes(png)
        stem.with_suffix(".html").write_text(charts.render_html(data), encoding="utf-8")
        written[summary["method"]] = {
            "png": stem.with_suffix(".png"),
            "html": stem.with_suffix(".html"),
            "png_bytes": png,
        }
    return written


def chart_markdown(written: dict[str, dict]) -> str:
    import base64

    parts = []
    for method, files in written.items():
        encoded = base64.b64encode(files["png_bytes"]).decode("ascii")
        parts.append(
            f"### {method}\n\n![{method}](data:image/png;base64,{encoded})\n\n"
            f"Interactive: `{files['html']}`"
        )
    return "\n\n".join(parts)


def materialize_trajectory(context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]):  # noqa: ARG001
    presets = load_presets()
    kommun = settings.report_kommun
    with (
        engine.working_copy(settings, TRAJECTORY_READS, TRAJECTORY_WRITES) as database,
        duckdb.connect(str(database)) as con,
    ):
        run = run_all_presets(con, presets, settings.trajectory_as_of_year)
        publish(con, run)
        kommun_namn = con.execute(
            "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [kommun]
        ).fetchall()[0][0]
    written = write_charts(run, settings.reports_dir, kommun, kommun_namn)
    reporting = run.summary.filter(pl.col("kommun_kod") == kommun)
    yield dg.MaterializeResult(
        asset_key=SUMMARY_KEY,
        metadata={
            "as_of_year": settings.trajectory_as_of_year,
            "methods": ", ".join(presets),
            "rows": run.summary.height,
            "reporting_kommun": dg.MetadataValue.md(borlange_table(reporting)),
            "charts": dg.MetadataValue.md(chart_markdown(written)),
            **{f"chart_{m}": dg.MetadataValue.path(str(f["html"])) for m, f in written.items()},
        },
    )
    yield dg.MaterializeResult(asset_key=YEARLY_KEY, metadata={"rows": run.yearly.height})
    rows = {r["method"]: r for r in reporting.iter_rows(named=True)}
    for method in presets:
        yield on_track_check(rows.get(method), method)


def borlange_table(borlange: pl.DataFrame) -> str:
    columns = [
        "method",
        "gas",
        "trend_sum_t",
        "allowed_sum_t",
        "meets_paris",
        "net_zero_date",
        "budget_exhausted_date",
        "required_reduction_pct",
        "gap_2030_t",
        "scope_status",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in borlange.iter_rows(named=True):
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def on_track_check(summary_row: dict | None, method: str) -> dg.AssetCheckResult:
    """The reporting kommun under one method: pass when on a Paris-aligned path, WARN with the gap otherwise."""
    name = check_name(method)
    if summary_row is None:
        return dg.AssetCheckResult(
            check_name=name,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"reason": f"no {method} row for Borlänge"},
        )
    if summary_row["meets_paris"] is None:
        return dg.AssetCheckResult(
            check_name=name,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"reason": summary_row.get("scope_status") or "no verdict"},
        )
    excess = summary_row["trend_sum_t"] - summary_row["allowed_sum_t"]
    metadata = {
        "trend_sum_t": round(summary_row["trend_sum_t"]),
        "allowed_sum_t": round(summary_row["allowed_sum_t"]),
        "excess_t": round(excess),
        "excess_pct_of_allowed": round(100 * excess / summary_row["allowed_sum_t"], 1)
        if summary_row["allowed_sum_t"]
        else None,
        "gap_2030_t": None
        if summary_row["gap_2030_t"] is None
        else round(summary_row["gap_2030_t"]),
        "net_zero_date": str(summary_row["net_zero_date"])
        if summary_row["net_zero_date"]
        else "never on this trend",
        "budget_exhausted_date": str(summary_row["budget_exhausted_date"])
        if summary_row["budget_exhausted_date"]
        else "not on this trend",
    }
    if summary_row["net_zero_date"]:
        metadata["net_zero_years_after_2030"] = summary_row["net_zero_date"].year - 2030
    if summary_row["budget_exhausted_date"]:
        metadata["budget_years_left_from_as_of"] = round(
            (summary_row["budget_exhausted_date"].toordinal() - _jan1(summary_row["as_of_year"]))
            / 365.25,
            1,
        )
    return dg.AssetCheckResult(
        check_name=name,
        passed=bool(summary_row["meets_paris"]),
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def _jan1(year: int) -> int:
    return date(year, 1, 1).toordinal()


def check_name(method: str) -> str:
    return f"borlange_on_track_{method}"


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


trajectory = dg.multi_asset(
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
)(materialize_trajectory)


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
            description="Each län's trajectory under every method preset not restricted to named kommuner "
            "(SMHI's own län totals; published as marts.trajectory_lan).",
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
def trajectory_lan(settings: dg.ResourceParam[Settings]):
    from pipelines.defs.trajectory.lan import LAN_INPUT, run_lan_presets

    presets = load_presets()
    with (
        engine.working_copy(
            settings,
            (LAN_INPUT, PARTNER_INPUT, "marts.dim_kommun"),
            ("trajectory.lan_summary", "trajectory.lan_yearly_paths"),
        ) as database,
        duckdb.connect(str(database)) as con,
    ):
        summary, yearly = run_lan_presets(
            con, presets, settings.trajectory_as_of_year, partner_exclusions
        )
        with warehouse.transaction(con):
            con.execute("create schema if not exists trajectory")
            con.execute("create or replace table trajectory.lan_summary as select * from summary")
            con.execute(
                "create or replace table trajectory.lan_yearly_paths as select * from yearly"
            )
    yield dg.MaterializeResult(
        asset_key=LAN_SUMMARY_KEY,
        metadata={
            "rows": summary.height,
            "methods": ", ".join(sorted(summary.get_column("method").unique().to_list())),
        },
    )
    yield dg.MaterializeResult(asset_key=LAN_YEARLY_KEY, metadata={"rows": yearly.height})


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    from pipelines.defs.trajectory.consumption_assets import consumption_summary

    return dg.Definitions(assets=[trajectory, trajectory_lan, consumption_summary])
