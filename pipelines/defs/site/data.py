"""What the citizens' site shows, read from the published serving copy only (plain Python, no
Dagster).

`open_build(serving_dir)` resolves `serving/current` once, so a publish during the build cannot
mix two builds, and opens that build's DuckDB file read-only. `all_kommuner(con)` reads every
kommun's figures with a handful of whole-mart queries (290 pages in one pass, not 290 × queries).
No number is computed here beyond picking rows and the report's change since 1990.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.defs.report import swedish
from pipelines.lib import publish
from pipelines.lib.publish import CURRENT

GAS = "CO2e"
SMHI = "smhi_ned"
NOWCAST = "borlange_nowcast"
SCB_POPULATION = "scb_population"


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: str
    folder: Path  # serving/builds/<build_id>, resolved
    manifest: dict


class NoServingCopy(RuntimeError):
    pass


@contextlib.contextmanager
def open_build(serving_dir: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Build]]:
    link = serving_dir / CURRENT
    if not link.is_symlink():
        raise NoServingCopy(f"no published serving copy at {link}: run the publish asset first")
    folder = (serving_dir / os.readlink(link)).resolve()
    with publish.connect_build(folder) as con:
        build_id, built_at, manifest = con.execute(
            "select build_id, built_at, manifest_json from marts._manifest"
        ).fetchall()[0]
        yield con, Build(build_id, built_at, folder, json.loads(manifest))


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    relation = con.sql(sql, params=params or [])
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = 'marts' "
            "and table_name = ?",
            [table],
        ).fetchall()
    )


@dataclass
class Kommun:
    kommun_kod: str
    kommun_namn: str
    lan_kod: str
    lan_namn: str
    latest: dict | None = None  # marts.emissions_per_capita, latest year of the newest release
    base_1990: float | None = None
    rank: dict | None = None  # marts.emissions_rank_in_lan, the same year
    per_capita_series: list[dict] = field(default_factory=list)
    sectors: list[dict] = field(default_factory=list)  # year, huvudsektor, tonnes, vintage
    methods: list[dict] = field(default_factory=list)  # marts.trajectory
    paths: dict[str, list[dict]] = field(
        default_factory=dict
    )  # method -> marts.fct_carbon_budget rows
    nowcast: list[dict] = field(default_factory=list)  # marts.fct_emissions_nowcast, totals
    # marts.fct_nowcast_base_year_common_change: the newest year's sectors on their sector's
    # common factor (most likely SMHI's own scaling), with the year's tonnes
    base_year_cells: list[dict] = field(default_factory=list)

    @property
    def change_since_1990_pct(self) -> float | None:
        if not self.latest or not self.base_1990:
            return None
        return 100.0 * (self.latest["tonnes"] / self.base_1990 - 1)


def all_kommuner(con: duckdb.DuckDBPyConnection) -> dict[str, Kommun]:
    kommuner = {
        r["kommun_kod"]: Kommun(**r)
        for r in rows(
            con,
            """
        select kommun_kod, kommun_namn, lan_kod, lan_namn from marts.dim_kommun
        order by kommun_kod""",
        )
    }
    for r in rows(
        con,
        """
            select kommun_kod, year, tonnes, population, tonnes_per_capita, vintage,
                   population_updated
            from marts.emissions_per_capita where gas = ? and in_latest_release
            order by kommun_kod, year""",
        [GAS],
    ):
        k = kommuner.get(r["kommun_kod"])
        if k is None:
            continue
        k.per_capita_series.append(r)
        if r["year"] == 1990:
            k.base_1990 = r["tonnes"]
        k.latest = r  # ordered by year: the last one stays
    ranks = {
        (r["kommun_kod"], r["year"]): r
        for r in rows(
            con,
            """
        select kommun_kod, year, vintage, rank_in_lan, kommuner_in_lan, rank_in_sweden,
               kommuner_in_sweden, tonnes_per_capita
        from marts.emissions_rank_in_lan
        where gas = ?
          and vintage = (select max(vintage) from marts.emissions_rank_in_lan where gas = ?)""",
            [GAS, GAS],
        )
    }
    for k in kommuner.values():
        if k.latest:
            k.rank = ranks.get((k.kommun_kod, k.latest["year"]))
    for r in rows(
        con,
        """
            select kommun_kod, year, huvudsektor, sum(tonnes) as tonnes, max(vintage) as vintage
            from marts.fct_emissions
            where gas = ? and in_latest_release and huvudsektor <> 'Alla'
            group by kommun_kod, year, huvudsektor order by kommun_kod, year, huvudsektor""",
        [GAS],
    ):
        if r["kommun_kod"] in kommuner:
            kommuner[r["kommun_kod"]].sectors.append(r)
    for r in rows(
        con,
        """
            select kommun_kod, method, gas, as_of_year, last_data_year, trend_sum_t,
                   allowed_sum_t, meets_paris, budget_t, budget_exhausted_date, net_zero_date,
                   gap_2030_t, required_reduction_pct, scope_status
            from marts.trajectory order by kommun_kod, method = 'carbon_law' desc, method""",
    ):
        if r["kommun_kod"] in kommuner:
            kommuner[r["kommun_kod"]].methods.append(r)
    paths: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows(
        con,
        """
            select kommun_kod, method, year, allowed_t, emissions_t, emissions_kind
            from marts.fct_carbon_budget order by kommun_kod, method, year""",
    ):
        paths[(r["kommun_kod"], r["method"])].append(r)
    for (kod, method), path in paths.items():
        if kod in kommuner:
            kommuner[kod].paths[method] = path
    # A build published before the nowcast existed has no such mart: its pages have no section.
    if has_table(con, "fct_emissions_nowcast"):
        for r in rows(
            con,
            """
                select kommun_kod, year, nowcast_t, lower_80_t, upper_80_t, lower_95_t, upper_95_t,
                       vintage, base_year, national_value_kind, uses_synthetic_input
                from marts.fct_emissions_nowcast
                where gas = ? and huvudsektor = 'Alla' order by kommun_kod, year""",
            [GAS],
        ):
            if r["kommun_kod"] in kommuner:
                kommuner[r["kommun_kod"]].nowcast.append(r)
    if has_table(con, "fct_nowcast_base_year_common_change"):
        for r in rows(
            con,
            """
                select kommun_kod, year, vintage, huvudsektor, tonnes, follows_common_factor
                from marts.fct_nowcast_base_year_common_change
                where gas = ? order by kommun_kod, tonnes desc""",
            [GAS],
        ):
            if r["kommun_kod"] in kommuner:
                kommuner[r["kommun_kod"]].base_year_cells.append(r)
    return kommuner


def nowcast_backtest(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The nowcast's newest backtest (CO2e, all kommuner): how well the method did."""
    if not has_table(con, "fct_nowcast_backtest_summary"):
        return None
    found = rows(
        con,
        """
        select origin_vintage, actual_vintage, kommuner, mae_pct, coverage_80, coverage_95
        from marts.fct_nowcast_backtest_summary where gas = ? and method = 'nowcast'
        order by actual_vintage desc limit 1""",
        [GAS],
    )
    return found[0] if found else None


def source_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        r["source_id"]: swedish.SOURCE_NAMES.get(
            r["source_id"], f"{r['source_name']}; {r['publisher']}"
        )
        for r in rows(con, "select source_id, source_name, publisher from marts.dim_data_source")
    }


def synthetic_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[dict]) -> int:
    """Rows of a mart that carry synthetic (demo) values, by the flag the mart has: is_synthetic,
    key_is_synthetic or value_status = 'synthetic'. A mart without such a column counts 0."""
    names = {c["name"] for c in columns}
    flags = [f for f in ("is_synthetic", "key_is_synthetic") if f in names]
    if "value_status" in names:
        flags.append("value_status = 'synthetic'")
    if not flags:
        return 0
    return con.execute(
        f'select count(*) from marts."{table}" where {" or ".join(flags)}'
    ).fetchall()[0][0]


def emissions_vintage(kommun: Kommun):
    return max((r["vintage"] for r in kommun.sectors), default=None)
