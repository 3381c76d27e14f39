"""Borlänge Energi's monthly reports and SCB's municipal energy statistics into raw tables
(plain Python, no Dagster; the assets are in assets.py).

Utility reports are a file feed of the shared drop processor (pipelines/lib/drops.py), under
the inbox folder (INBOX_DIR):
    energy/<file>                          drops (CSV or XLSX, contract in sources/energy_feed/contract.py)
    quarantine/energy/<sha>_<file>         rejected, with <…>.report.txt beside it (row, column, problem)
    processed/energy/<sha>_<file>          accepted, or already loaded

A corrected resubmission of the same network and month is a new file with a higher `load_seq`;
staging takes, per network and month, the newest file that reports it, and the earlier one stays
as history.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib import drops, warehouse
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.responses import ResponsesLoaded, scb_response_loads
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from sources.energy_feed.validate import Feed, Limits, load_feed_bytes
from sources.scb import PxWebClient
from sources.scb_energy import KRE_TABLES, fetch_kre, kre_rows

SOURCE = "borlange_energi"  # landing-zone folder and raw.landed_files.source of the reports
INBOX_FOLDER = "energy"
REPORT_TABLES = ("energy_feed_files", "energy_feed_values", "landed_files")
BUNDLED_REPORTS = Path(__file__).resolve().parents[3] / "replay" / "payloads" / "energy"


def report_feed(limits: Limits | None = None) -> FileFeed:
    """The utility's monthly reports as a file feed of the shared drop processor."""
    limits = limits or Limits()

    def validate(path: Path, content: bytes) -> Feed:
        return load_feed_bytes(path.name, content, limits)

    return FileFeed(
        name="energy reports",
        source=SOURCE,
        drop_folder=INBOX_FOLDER,
        nested=False,
        loaded_into="energy_feed_values",
        validate=validate,
        load=insert_report,
        max_file_bytes=limits.max_file_bytes,
    )


def process_drop(
    inbox: Path, store: Store, *, limits: Limits | None = None, settle_s: float = 0.0
) -> DropReport:
    return drops.process_drop(report_feed(limits), inbox, store, settle_s=settle_s)


def stage_bundled_reports(inbox: Path, source: Path = BUNDLED_REPORTS) -> list[Path]:
    """Copy the bundled SYNTHETIC monthly reports into inbox/energy/ (the offline demo's drop),
    in month order so that their modification times keep that order."""
    target = inbox / INBOX_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    staged = []
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in (".csv", ".xlsx")):
        staged.append(Path(shutil.copy(path, target / path.name)))
    return staged


def report_values(feed: Feed, sha256: str) -> pl.DataFrame:
    """The validated long frame as raw.energy_feed_values rows."""
    return feed.frame.select(
        pl.lit(sha256).alias("sha256"),
        "network",
        "month",
        "measure",
        "category",
        "unit",
        "value",
        pl.col("row").cast(pl.Int32).alias("source_row"),
        pl.col("column").alias("source_column"),
    )


def insert_report(
    con: duckdb.DuckDBPyConnection, feed: Feed, landed: LandedFile, received_at: datetime
) -> list[str]:
    """One validated report's registry row and values (inside the drop processor's transaction);
    returns the network-months it supersedes, for the drop's report."""
    months = feed.frame.get_column("month")
    superseded = superseded_months(con, feed)
    rows = report_values(feed, landed.sha256)  # noqa: F841 - read by DuckDB's replacement scan
    # load_seq orders the files as they were accepted: the newest file for a network and
    # month is the one in force (timestamps could tie; a sequence cannot).
    con.execute(
        """
        insert into raw.energy_feed_files
        select ?, ?, coalesce(max(load_seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? from raw.energy_feed_files""",
        [
            landed.sha256,
            feed.file,
            naive_utc(received_at),
            months.min(),
            months.max(),
            feed.meta.get("enhet") or "MWh",
            feed.meta.get("källa"),
            feed.is_synthetic,
            feed.frame.get_column("network").n_unique(),
            feed.frame.height,
        ],
    )
    con.execute("insert into raw.energy_feed_values select * from rows")
    return superseded


def superseded_months(con: duckdb.DuckDBPyConnection, feed: Feed) -> list[str]:
    """The network-months this report takes over from a file loaded earlier (the newest one in force)."""
    reported = feed.frame.select("network", "month").unique()  # noqa: F841 - read by DuckDB's replacement scan
    rows = con.execute("""
        select v.network, v.month, arg_max(f.file_name, f.load_seq), max(f.received_at)
        from raw.energy_feed_values as v
        join raw.energy_feed_files as f using (sha256)
        join reported as r on r.network = v.network and r.month = v.month
        group by v.network, v.month order by v.network, v.month""").fetchall()
    return [
        f"supersedes {network} {month:%Y-%m} from {file_name} (received {received:%Y-%m-%d %H:%M} UTC)"
        for network, month, file_name, received in rows
    ]


# --------------------------------------------------------------------------- SCB KRE


@dataclass(frozen=True)
class ScbEnergyLoadReport:
    responses: int
    rows_inserted: int
    unchanged_responses: int
    tables: list[str]
    years: list[int]
    confidential_cells: int


def load_scb_energy(client: PxWebClient, store: Store, *, kommun_kod: str) -> ScbEnergyLoadReport:
    """TAB3654, TAB3451 and TAB3452 for one kommun, every published year, in one transaction."""
    fetched_at = datetime.now(UTC)
    loads = []
    for table, result in fetch_kre(client, kommun_kod).items():
        loads += scb_response_loads(
            client,
            result,
            store.landing_dir,
            table="scb_energy",
            fetched_at=fetched_at,
            rows_of=lambda response, table=table: kre_rows(response, table),
            request_params={"Region": [kommun_kod]},
            # A new response of a table replaces that table's rows for the kommun (SCB revises KRE).
            replace_where=("table_id = ? and kommun_kod = ?", [table.table_id, kommun_kod]),
        )
    loaded = ResponsesLoaded.of("scb_energy", warehouse.load_into_warehouse(store, loads))
    frame = pl.concat([load.rows for load in loads]) if loads else pl.DataFrame()
    return ScbEnergyLoadReport(
        responses=loaded.responses,
        rows_inserted=loaded.rows_inserted,
        unchanged_responses=loaded.unchanged_responses,
        tables=[t.table_id for t in KRE_TABLES],
        years=sorted(frame.get_column("year").unique().to_list()) if frame.height else [],
        confidential_cells=frame.filter(pl.col("status").is_not_null()).height
        if frame.height
        else 0,
    )


# --------------------------------------------------------------------------- utility vs SMHI


@dataclass(frozen=True)
class SmhiComparison:
    year: int | None
    utility_t: float | None
    smhi_t: float | None
    smhi_vintage: str | None
    difference_t: float | None
    difference_share: float | None  # (utility - smhi) / smhi
    tolerance: float
    is_synthetic: bool
    reason: str = ""

    @property
    def within_tolerance(self) -> bool:
        return self.difference_share is not None and abs(self.difference_share) <= self.tolerance


SMHI_SECTOR = "El och fjärrvärme"


def compare_with_smhi(
    con: duckdb.DuckDBPyConnection, *, tolerance: float, kommun_kod: str
) -> SmhiComparison:
    """The utility's fossil emissions of heat and power (fuels burnt in its plants, before any
    allocation) against SMHI's `El och fjärrvärme` for the kommun, in the newest year both have."""
    utility = con.execute("""
        select year, sum(on_site_combustion_emissions_t), bool_or(is_synthetic)
        from marts.fct_energy_balance group by year""").fetchall()
    smhi = con.execute(
        """
        select year, sum(tonnes), max(vintage) from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = ? and in_latest_release group by year""",
        [kommun_kod, SMHI_SECTOR],
    ).fetchall()
    ours = {year: (tonnes, synthetic) for year, tonnes, synthetic in utility}
    theirs = {year: (tonnes, vintage) for year, tonnes, vintage in smhi}
    common = sorted(set(ours) & set(theirs))
    if not common:
        return SmhiComparison(
            None,
            None,
            None,
            None,
            None,
            None,
            tolerance,
            False,
            reason=f"no year with both utility reports ({sorted(ours)}) and SMHI "
            f"'{SMHI_SECTOR}' ({sorted(theirs)[-3:]})",
        )
    year = common[-1]
    (utility_t, synthetic), (smhi_t, vintage) = ours[year], theirs[year]
    difference = utility_t - smhi_t
    return SmhiComparison(
        year,
        utility_t,
        smhi_t,
        str(vintage),
        difference,
        difference / smhi_t if smhi_t else None,
        tolerance,
        bool(synthetic),
    )
