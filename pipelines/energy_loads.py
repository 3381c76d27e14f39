"""Borlänge Energi's monthly reports and SCB's municipal energy statistics into raw tables
(plain Python, no Dagster; the assets are in pipelines/energy.py).

Utility reports, under the inbox folder (INBOX_DIR):
    energy/<file>                          drops (CSV or XLSX, contract in sources/energy_feed/contract.py)
    quarantine/energy/<sha>_<file>         rejected, with <…>.report.txt beside it (row, column, problem)
    processed/energy/<sha>_<file>          accepted, or already loaded

Each file is validated on its own before anything loads, then loaded in one transaction (its
registry row, its values and its raw.landed_files row, or nothing). The original bytes of every
file, good or bad, are kept in the landing zone under their sha256. A corrected resubmission of
the same network and month is a new file with a higher `load_seq`; staging takes, per network
and month, the newest file that reports it, and the earlier one stays as history. The same file
twice changes nothing.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from pipelines import inbox as inbox_files
from pipelines import warehouse
from pipelines.loads import Store, naive_utc
from sources.energy_feed.validate import Feed, Limits, format_report, load_feed
from sources.scb import PxWebClient
from sources.scb_energy import KRE_TABLES, fetch_kre, kre_rows

SOURCE = "borlange_energi"          # landing-zone folder and raw.landed_files.source of the reports
INBOX_FOLDER = "energy"
REPORT_TABLES = ("energy_feed_files", "energy_feed_values", "landed_files")
BUNDLED_REPORTS = Path(__file__).resolve().parent.parent / "replay" / "payloads" / "energy"


@dataclass
class EnergyDropReport:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)      # rejected file -> its report text
    problems: dict[str, list[dict]] = field(default_factory=dict)  # rejected file -> problems (row, column, code)


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in inbox/energy/, oldest first (a correction dropped later loads later)."""
    folder = inbox / INBOX_FOLDER
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if inbox_files.is_drop(p)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def stage_bundled_reports(inbox: Path, source: Path = BUNDLED_REPORTS) -> list[Path]:
    """Copy the bundled SYNTHETIC monthly reports into inbox/energy/ (the offline demo's drop),
    in month order so that their modification times keep that order."""
    target = inbox / INBOX_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    staged = []
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in (".csv", ".xlsx")):
        staged.append(Path(shutil.copy(path, target / path.name)))
    return staged


def process_drop(inbox: Path, store: Store, *, limits: Limits | None = None) -> EnergyDropReport:
    report = EnergyDropReport()
    files = pending_files(inbox)
    if not files:
        return report
    with warehouse.connect(store.warehouse_path) as con:   # one connection per drop, a transaction per file
        for path in files:
            process_file(path, inbox, store, con, limits or Limits(), report)
    return report


def process_file(path: Path, inbox: Path, store: Store, con: duckdb.DuckDBPyConnection, limits: Limits,
                 report: EnergyDropReport) -> None:
    content = path.read_bytes()
    landed = warehouse.land_bytes(store.landing_dir, SOURCE, content, path.suffix.lower()[:8])
    feed = load_feed(path, limits)
    name = str(path.relative_to(inbox))
    if not feed.ok:
        text = inbox_files.quarantine(path, inbox, INBOX_FOLDER, landed, format_report(feed))
        report.rejected.append(name)
        report.reports[name] = text
        report.problems[name] = [p.to_dict() for p in feed.problems]
        return
    loaded = load_report(con, feed, landed, received_at=datetime.now(timezone.utc))
    inbox_files.mark_processed(path, inbox, INBOX_FOLDER, landed.sha256)
    (report.accepted if loaded else report.unchanged).append(name)


def report_values(feed: Feed, sha256: str) -> pl.DataFrame:
    """The validated long frame as raw.energy_feed_values rows."""
    return feed.frame.select(
        pl.lit(sha256).alias("sha256"), "network", "month", "measure", "category", "unit", "value",
        pl.col("row").cast(pl.Int32).alias("source_row"), pl.col("column").alias("source_column"))


def load_report(con: duckdb.DuckDBPyConnection, feed: Feed, landed: warehouse.LandedFile, *,
                received_at: datetime) -> bool:
    """One validated report in ONE transaction; False (and nothing written) when these exact bytes
    were loaded before."""
    if not feed.ok:
        raise ValueError(f"{feed.file} has problems; quarantine it instead of loading it")
    if warehouse.is_loaded(con, landed.sha256):
        return False
    months = feed.frame.get_column("month")
    rows = report_values(feed, landed.sha256)  # noqa: F841 - read by DuckDB's replacement scan
    con.execute("begin transaction")
    try:
        # load_seq orders the files as they were accepted: the newest file for a network and
        # month is the one in force (timestamps could tie; a sequence cannot).
        con.execute("""
            insert into raw.energy_feed_files
            select ?, ?, coalesce(max(load_seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? from raw.energy_feed_files""",
                    [landed.sha256, feed.file, naive_utc(received_at), months.min(), months.max(),
                     feed.meta.get("enhet") or "MWh", feed.meta.get("källa"), feed.is_synthetic,
                     feed.frame.get_column("network").n_unique(), feed.frame.height])
        con.execute("insert into raw.energy_feed_values select * from rows")
        con.execute("insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [landed.sha256, SOURCE, feed.file, None, json.dumps({}), content_type(feed.file),
                     landed.bytes, str(landed.path), None, naive_utc(received_at), "energy_feed_values"])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True


def content_type(file_name: str) -> str:
    if file_name.lower().endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv"


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
    fetched_at = datetime.now(timezone.utc)
    loads, frames = [], []
    for table, result in fetch_kre(client, kommun_kod).items():
        for raw in result.raw_responses:
            landed = warehouse.land_bytes(store.landing_dir, "scb", raw, ".json")
            rows = kre_rows(raw, table, sha256=landed.sha256, fetched_at=naive_utc(fetched_at))
            frames.append(rows)
            loads.append(warehouse.FileLoad(
                landed=landed, source="scb", file_name=f"{table.table_id}_{landed.sha256[:12]}.json",
                url=client.http.url(f"tables/{table.table_id}/data"), request_params={"Region": [kommun_kod]},
                content_type="application/json", vintage=None, fetched_at=naive_utc(fetched_at),
                table="scb_energy", rows=rows,
                # A new response of a table replaces that table's rows for the kommun (SCB revises KRE).
                replace_where=("table_id = ? and kommun_kod = ?", [table.table_id, kommun_kod])))
    with warehouse.connect(store.warehouse_path) as con:
        outcomes = warehouse.load_files(con, loads)
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return ScbEnergyLoadReport(
        responses=len(loads), rows_inserted=sum(o.rows_inserted for o in outcomes),
        unchanged_responses=sum(o.skipped_as_duplicate for o in outcomes),
        tables=[t.table_id for t in KRE_TABLES],
        years=sorted(frame.get_column("year").unique().to_list()) if frame.height else [],
        confidential_cells=frame.filter(pl.col("status").is_not_null()).height if frame.height else 0)


# --------------------------------------------------------------------------- utility vs SMHI


@dataclass(frozen=True)
class SmhiComparison:
    year: int | None
    utility_t: float | None
    smhi_t: float | None
    smhi_vintage: str | None
    difference_t: float | None
    difference_share: float | None    # (utility - smhi) / smhi
    tolerance: float
    is_synthetic: bool
    reason: str = ""

    @property
    def within_tolerance(self) -> bool:
        return self.difference_share is not None and abs(self.difference_share) <= self.tolerance


SMHI_SECTOR = "El och fjärrvärme"


def compare_with_smhi(con: duckdb.DuckDBPyConnection, *, tolerance: float, kommun_kod: str = "2081") -> SmhiComparison:
    """The utility's fossil emissions of heat and power (fuels burnt in its plants, before any
    allocation) against SMHI's `El och fjärrvärme` for the kommun, in the newest year both have."""
    utility = con.execute("""
        select year, sum(on_site_combustion_emissions_t), bool_or(is_synthetic)
        from marts.fct_energy_balance group by year""").fetchall()
    smhi = con.execute("""
        select year, sum(tonnes), max(vintage) from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = ? and in_latest_release group by year""",
                       [kommun_kod, SMHI_SECTOR]).fetchall()
    ours = {year: (tonnes, synthetic) for year, tonnes, synthetic in utility}
    theirs = {year: (tonnes, vintage) for year, tonnes, vintage in smhi}
    common = sorted(set(ours) & set(theirs))
    if not common:
        return SmhiComparison(None, None, None, None, None, None, tolerance, False,
                              reason=f"no year with both utility reports ({sorted(ours)}) and SMHI "
                                     f"'{SMHI_SECTOR}' ({sorted(theirs)[-3:]})")
    year = common[-1]
    (utility_t, synthetic), (smhi_t, vintage) = ours[year], theirs[year]
    difference = utility_t - smhi_t
    return SmhiComparison(year, utility_t, smhi_t, str(vintage), difference,
                          difference / smhi_t if smhi_t else None, tolerance, bool(synthetic))
