"""The pure-DuckDB floor under a `dbt build`: the SQL it executed, replayed in one connection.

Given the target folder of a finished `dbt build` (run_results.json + manifest.json) and a
DuckDB file that holds the raw inputs, replay every node on a COPY of that file, in the order
dbt ran them, with nothing of dbt around it:

- model (view / table):  create or replace view|table <relation> as <compiled_code>
- seed:                   create or replace table <relation> as
                          select * from read_csv(<csv>, types=<column_types>)
- test:                   select count(*) from (<compiled_code>)
- hook (operation):       its compiled SQL when it has any (an empty hook costs nothing)

What the floor leaves out is what dbt adds around the same SQL: start-up and parse, the
adapter's per-node statements (BEGIN/COMMIT, __dbt_tmp + rename + drop backup, contract
DESCRIBEs, persist_docs `comment on` statements and their column look-ups), the per-node
Python, events and artifacts. With --enforce-contracts a contracted table is created as dbt
does it (typed columns with their constraints, then `insert into ... select`), so the floor also
pays for the constraint checks the contract makes the database do.

Plain Python and duckdb only (no Dagster, no dbt import).

    python -m bench.dbt_floor --target-dir dbt_project/target --warehouse warehouse/borlange.duckdb
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

RESOURCE_TYPES = ("seed", "model", "test", "operation")  # operation: the project's hooks


@dataclass
class NodeTiming:
    unique_id: str
    resource_type: str
    floor_seconds: float
    dbt_seconds: float  # run_results.json execution_time
    dbt_status: str
    failures: int | None = None  # tests: rows the floor counted


@dataclass
class FloorResult:
    total_seconds: float  # the replay loop's wall clock (statements + this loop)
    seconds_by_type: dict[str, float]
    count_by_type: dict[str, int]
    dbt_execution_by_type: dict[str, float]  # sum of run_results execution_time per type
    dbt_elapsed_seconds: float  # run_results elapsed_time: dbt's run phase, no start-up/parse
    connect_seconds: float  # opening the copy (not in total_seconds)
    nodes: list[NodeTiming] = field(default_factory=list)
    mismatches: list[str] = field(
        default_factory=list
    )  # tests whose failures differ from dbt's verdict

    @property
    def dbt_execution_seconds(self) -> float:
        return sum(self.dbt_execution_by_type.values())


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relation_of(node: dict) -> str:
    if node.get("relation_name"):
        return node["relation_name"]
    return ".".join(
        quote(part)
        for part in (node["database"], node["schema"], node.get("alias") or node["name"])
    )


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def seed_sql(node: dict) -> str:
    root = Path(node.get("root_path") or ".")
    csv = root / node["original_file_path"]
    config = node.get("config", {})
    options = ["header = true"]
    if config.get("delimiter") and config["delimiter"] != ",":
        options.append(f"delim = {sql_literal(config['delimiter'])}")
    types = config.get("column_types") or {}
    if types:
        options.append(
            "types = {"
            + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in types.items())
            + "}"
        )
    return (
        f"create or replace table {relation_of(node)} as "
        f"select * from read_csv({sql_literal(str(csv))}, {', '.join(options)})"
    )


def contract_table_sql(node: dict, compiled: str) -> list[str]:
    """dbt's way for an enforced contract: typed columns with their constraints, then the insert."""
    columns = []
    for name, column in node["columns"].items():
        definition = f"{quote(name)} {column['data_type']}"
        for constraint in column.get("constraints", []):
            kind = constraint["type"]
            if kind == "not_null":
                definition += " not null"
            elif kind == "unique":
                definition += " unique"
            elif kind == "primary_key":
                definition += " primary key"
            elif kind == "check" and constraint.get("expression"):
                definition += f" check ({constraint['expression']})"
        columns.append(definition)
    relation = relation_of(node)
    names = ", ".join(quote(name) for name in node["columns"])
    return [
        f"create or replace table {relation} ({', '.join(columns)})",
        f"insert into {relation} ({names}) select {names} from ({compiled}) as model_subq",
    ]


def statements_for(node: dict, compiled: str, *, enforce_contracts: bool) -> list[str]:
    kind = node["resource_type"]
    if kind == "seed":
        return [seed_sql(node)]
    if kind == "model":
        materialized = node.get("config", {}).get("materialized", "view")
        if materialized == "ephemeral":
            return []
        if materialized == "view":
            return [f"create or replace view {relation_of(node)} as {compiled}"]
        contract = node.get("config", {}).get("contract", {}) or node.get("contract", {})
        if enforce_contracts and contract.get("enforced") and node.get("columns"):
            return contract_table_sql(node, compiled)
        return [
            f"create or replace table {relation_of(node)} as {compiled}"
        ]  # table, incremental: a full build
    if kind == "test":
        return [f"select count(*) from ({compiled}) as dbt_internal_test"]
    # hooks and other operations: their SQL as compiled, if any
    return [compiled] if compiled.strip() else []


def execution_order(results: list[dict]) -> list[dict]:
    """The order dbt started the nodes: the file order with threads: 1, else the start time."""

    def started(item: tuple[int, dict]) -> tuple[str, int]:
        index, result = item
        stamps = [t.get("started_at") or "" for t in result.get("timing", [])]
        return (min(stamps) if stamps and all(stamps) else "", index)

    return [r for _, r in sorted(enumerate(results), key=started)]


def load_artifacts(target_dir: Path) -> tuple[dict, dict]:
    run_results = json.loads((target_dir / "run_results.json").read_text())
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return run_results, manifest


def database_of(run_results: dict, manifest: dict) -> str | None:
    for result in run_results["results"]:
        node = manifest["nodes"].get(result["unique_id"])
        if node and node.get("database"):
            return node["database"]
    return None


def replay(
    target_dir: str | Path,
    warehouse: str | Path,
    *,
    enforce_contracts: bool = False,
    workdir: str | Path | None = None,
    repeat: int = 1,
) -> FloorResult:
    """Replay the build recorded in target_dir on a copy of warehouse; return its timings
    (the fastest of `repeat` replays, each on a fresh copy: the floor is a lower bound).

    The copy is named after the database dbt compiled into the SQL (the profile's file stem,
    e.g. "borlange"), so the three-part names in compiled_code resolve in the copy."""
    target_dir = Path(target_dir)
    run_results, manifest = load_artifacts(target_dir)
    database = database_of(run_results, manifest) or Path(warehouse).stem
    best: FloorResult | None = None
    for _ in range(max(1, repeat)):
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            copy = Path(tmp) / f"{database}.duckdb"
            shutil.copyfile(warehouse, copy)
            started = time.perf_counter()
            con = duckdb.connect(str(copy))
            connect_seconds = time.perf_counter() - started
            try:
                result = _replay_on(con, run_results, manifest, enforce_contracts, connect_seconds)
            finally:
                con.close()
        if best is None or result.total_seconds < best.total_seconds:
            best = result
    return best


def _replay_on(
    con: duckdb.DuckDBPyConnection,
    run_results: dict,
    manifest: dict,
    enforce_contracts: bool,
    connect_seconds: float,
) -> FloorResult:
    seconds = {t: 0.0 for t in RESOURCE_TYPES}
    counts = {t: 0 for t in RESOURCE_TYPES}
    dbt_seconds = {t: 0.0 for t in RESOURCE_TYPES}
    nodes: list[NodeTiming] = []
    mismatches: list[str] = []
    loop_started = time.perf_counter()
    # dbt creates the schemas once, before the first node: so does the floor (in the total).
    schemas = sorted(
        {
            (n["database"], n["schema"])
            for r in run_results["results"]
            if (n := manifest["nodes"].get(r["unique_id"]))
            and n["resource_type"] in ("model", "seed")
        }
    )
    for db, schema in schemas:
        con.execute(f"create schema if not exists {quote(db)}.{quote(schema)}")
    for result in execution_order(run_results["results"]):
        uid = result["unique_id"]
        kind = uid.split(".", 1)[0]
        node = manifest["nodes"].get(uid) or {"resource_type": kind, "unique_id": uid}
        kind = node.get("resource_type", kind)
        bucket = kind if kind in seconds else "operation"
        dbt_seconds[bucket] += result.get("execution_time") or 0.0
        if result.get("status") in ("skipped", "error", "runtime error"):
            continue  # dbt ran nothing that stands for it
        compiled = result.get("compiled_code") or node.get("compiled_code") or ""
        statements = statements_for(node, compiled, enforce_contracts=enforce_contracts)
        failures = None
        node_started = time.perf_counter()
        for sql in statements:
            cursor = con.execute(sql)
            if kind == "test":
                failures = cursor.fetchone()[0]
        elapsed = time.perf_counter() - node_started
        seconds[bucket] += elapsed
        counts[bucket] += 1
        nodes.append(
            NodeTiming(
                uid,
                bucket,
                elapsed,
                result.get("execution_time") or 0.0,
                result.get("status", ""),
                failures,
            )
        )
        if kind == "test" and failures is not None:
            dbt_failed = result.get("status") in ("fail", "warn")
            if dbt_failed != (failures > 0):
                mismatches.append(
                    f"{uid}: dbt {result.get('status')}, floor counted {failures} row(s)"
                )
    total = time.perf_counter() - loop_started
    return FloorResult(
        total_seconds=total,
        seconds_by_type=seconds,
        count_by_type=counts,
        dbt_execution_by_type=dbt_seconds,
        dbt_elapsed_seconds=run_results.get("elapsed_time", 0.0),
        connect_seconds=connect_seconds,
        nodes=nodes,
        mismatches=mismatches,
    )


def format_report(
    result: FloorResult, *, dbt_wall_seconds: float | None = None, top: int = 0
) -> str:
    lines = [f"{'resource':<12}{'nodes':>7}{'floor s':>10}{'dbt exec s':>12}{'dbt/floor':>11}"]
    for kind in RESOURCE_TYPES:
        if not result.count_by_type[kind] and not result.dbt_execution_by_type[kind]:
            continue
        floor, dbt = result.seconds_by_type[kind], result.dbt_execution_by_type[kind]
        ratio = f"{dbt / floor:.1f}x" if floor > 0.001 else "-"
        lines.append(
            f"{kind:<12}{result.count_by_type[kind]:>7}{floor:>10.2f}{dbt:>12.2f}{ratio:>11}"
        )
    floor = result.total_seconds
    lines.append(
        f"{'total':<12}{sum(result.count_by_type.values()):>7}{floor:>10.2f}"
        f"{result.dbt_execution_seconds:>12.2f}{result.dbt_execution_seconds / floor:>10.1f}x"
    )
    lines.append(
        f"dbt run phase (run_results elapsed_time): {result.dbt_elapsed_seconds:.2f} s"
        f" = {result.dbt_elapsed_seconds / floor:.1f}x the floor"
    )
    if dbt_wall_seconds is not None:
        lines.append(
            f"dbt wall clock (start-up + parse + run + artifacts): {dbt_wall_seconds:.2f} s"
            f" = {dbt_wall_seconds / floor:.1f}x the floor"
        )
    if result.mismatches:
        lines.append("tests where the floor disagrees with dbt: " + "; ".join(result.mismatches))
    if top:
        lines.append(f"slowest {top} nodes in the floor (floor s / dbt s):")
        for n in sorted(result.nodes, key=lambda n: -n.floor_seconds)[:top]:
            lines.append(f"  {n.floor_seconds:7.3f} {n.dbt_seconds:7.3f}  {n.unique_id}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--target-dir", required=True, type=Path, help="dbt target folder of a finished build"
    )
    parser.add_argument(
        "--warehouse", required=True, type=Path, help="DuckDB file with the raw inputs (copied)"
    )
    parser.add_argument(
        "--enforce-contracts",
        action="store_true",
        help="create contracted tables with their typed columns and constraints, as dbt does",
    )
    parser.add_argument(
        "--dbt-wall-seconds", type=float, help="the measured wall clock of that dbt command"
    )
    parser.add_argument("--top", type=int, default=0, help="list the N slowest nodes")
    parser.add_argument("--repeat", type=int, default=1, help="replay N times, report the fastest")
    args = parser.parse_args(argv)
    result = replay(
        args.target_dir,
        args.warehouse,
        enforce_contracts=args.enforce_contracts,
        repeat=args.repeat,
    )
    print(format_report(result, dbt_wall_seconds=args.dbt_wall_seconds, top=args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
