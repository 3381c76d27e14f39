"""The same dbt marts on PostgreSQL, row for row.

The demo warehouse (DuckDB) is copied, given a few partner submissions (the demo has none, and
the partner marts should not be compared empty) and its partner marts rebuilt; its raw and
trajectory tables are mirrored into a throwaway Postgres server (tests/helpers/postgres_server.py),
where `dbt build --target postgres` builds everything else. Then every mart must match: columns,
types, row count and values. Last, the bi_reader role the on-run-end hook maintains may read the
marts and nothing else.
"""

from __future__ import annotations

import contextlib
import math
import operator
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.dbt import vars_argument
from pipelines.lib.postgres_mirror import DEFAULT_TABLES, UnsupportedType, mirror, postgres_type
from pipelines.settings import DBT_PROJECT_DIR, Settings

psycopg2 = pytest.importorskip("psycopg2")
from psycopg2 import errors as pg_errors  # noqa: E402

REL_TOL = 1e-6  # doubles: equal within 1e-6 relative ...
ABS_TOL = 1e-6  # ... or one micro-tonne, the resolution of exact_sum
BI_LOGIN, BI_PASSWORD = "bi_alice", "bi-test-password"

# DuckDB type -> the Postgres types that carry it (contracts say varchar; mirrored tables use text).
POSTGRES_TYPES = {
    "VARCHAR": {"character varying", "text"},
    "INTEGER": {"integer"},
    "BIGINT": {"bigint"},
    "DOUBLE": {"double precision"},
    "DATE": {"date"},
    "TIMESTAMP": {"timestamp without time zone"},
    "BOOLEAN": {"boolean"},
}

# Synthetic partner submissions: a resubmission (only the newest counts), scopes 1-3, rows
# inside and outside the territory, actions over several years, removals, and text that CSV
# must carry unchanged (tab, newline, quotes, backslash, an empty string beside a null).
# sha256, partner_id, reporting_year, file_name, received_at, contact_name, contact_email,
# submitted_date
SUBMISSIONS = [
    (
        "a" * 64,
        "ssab",
        2023,
        "ssab_2023.xlsx",
        datetime(2024, 3, 1, 8, 0),
        "Anna Berg",
        "anna@example.se",
        date(2024, 3, 1),
    ),
    (
        "b" * 64,
        "ssab",
        2023,
        "ssab_2023_v2.xlsx",
        datetime(2024, 4, 2, 9, 30, 0, 123456),
        "Anna Berg",
        "anna@example.se",
        date(2024, 4, 2),
    ),
    (
        "c" * 64,
        "ssab",
        2024,
        "ssab_2024.xlsx",
        datetime(2025, 3, 14, 16, 5, 1),
        "Björn Öst",
        None,
        date(2025, 3, 14),
    ),
    (
        "d" * 64,
        "borlange_energi",
        2024,
        "be_2024.xlsx",
        datetime(2025, 2, 28, 12, 0),
        "Cecilia Å",
        "c@example.se",
        date(2025, 2, 28),
    ),
    (
        "e" * 64,
        "tunabyggen",
        2025,
        "tb_2025.xlsx",
        datetime(2026, 1, 20, 7, 45),
        None,
        None,
        date(2026, 1, 20),
    ),
]
# sha256, partner_id, reporting_year, source_row, scope, category, tonnes_co2e, method,
# inside_territory, comment
EMISSIONS = [
    ("a" * 64, "ssab", 2023, 2, 1, "Processer", 900000.0, None, True, "superseded"),
    ("b" * 64, "ssab", 2023, 2, 1, "Processer", 912345.678901, None, True, ""),
    (
        "b" * 64,
        "ssab",
        2023,
        3,
        2,
        "El",
        1234.5,
        "market-based",
        True,
        'tab\there, "quoted", new\nline',
    ),
    ("b" * 64, "ssab", 2023, 4, 3, "Tjänsteresor", 0.1 + 0.2, None, False, None),
    ("c" * 64, "ssab", 2024, 2, 1, "Processer", 880001.25, None, True, "back\\slash"),
    ("d" * 64, "borlange_energi", 2024, 2, 1, "Fjärrvärme", 41234.000001, None, True, None),
    ("d" * 64, "borlange_energi", 2024, 3, 2, "El", 12.0, "location-based", True, None),
    ("e" * 64, "tunabyggen", 2025, 2, 1, "Uppvärmning", 321.5, None, True, None),
]
ENERGY = [  # sha256, partner_id, reporting_year, source_row, energy_carrier, mwh, supplier, comment
    ("c" * 64, "ssab", 2024, 2, "El", 1.5e6, "Vattenfall", None),
]
ACTIONS = [  # sha256, partner_id, reporting_year, source_row, action_id, title, status, start_year,
    # investment_sek, expected_annual_reduction_t, realised_reduction_t, comment
    ("b" * 64, "ssab", 2023, 2, "A1", "Old plan", "planerad", 2025, 1e9, 5000.0, None, None),
    (
        "c" * 64,
        "ssab",
        2024,
        2,
        "A1",
        "Vätgasreduktion",
        "pågående",
        2027,
        2.5e10,
        400000.0,
        None,
        None,
    ),
    (
        "c" * 64,
        "ssab",
        2024,
        3,
        "A2",
        "Elektrifiering",
        "planerad",
        2029,
        3e9,
        25000.5,
        1000.25,
        None,
    ),
    (
        "d" * 64,
        "borlange_energi",
        2024,
        2,
        "BE1",
        "Biobränsle",
        "genomförd",
        2024,
        1.2e8,
        8000.0,
        7900.0,
        None,
    ),
    (
        "d" * 64,
        "borlange_energi",
        2024,
        3,
        "BE2",
        "Nollutsläpp",
        "planerad",
        2028,
        5e7,
        0.0,
        None,
        None,
    ),
]
# sha256, partner_id, reporting_year, source_row, removal_type, tonnes_co2, method, permanence,
# comment
REMOVALS = [
    ("d" * 64, "borlange_energi", 2024, 2, "BECCS", 150.75, "mätt", "över 1000 år", None),
    ("e" * 64, "tunabyggen", 2025, 2, "Trädplantering", 3.25, "uppskattad", "under 100 år", None),
]


def add_partner_rows(con: duckdb.DuckDBPyConnection) -> None:
    for table, rows in (
        ("partner_submissions", SUBMISSIONS),
        ("partner_emissions", EMISSIONS),
        ("partner_energy", ENERGY),
        ("partner_actions", ACTIONS),
        ("partner_removals", REMOVALS),
    ):
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into raw.{table} values ({marks})", rows)


def run_dbt_on_postgres(
    args: list[str], env: dict[str, str], work: Path, warehouse_path: Path
) -> str:
    """dbt as a subprocess (as Dagster runs it, with the vars of its settings), its target and logs
    kept out of the project."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [
        dbt,
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        *vars_argument(Settings.from_env({"WAREHOUSE_PATH": str(warehouse_path)})),
    ]
    done = subprocess.run(
        command,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def parity(demo_warehouse, postgres_server, tmp_path_factory):
    """(DuckDB file, Postgres server) holding the same warehouse, built by dbt on each engine."""
    work = tmp_path_factory.mktemp("postgres_parity")
    duck_path = work / "borlange.duckdb"
    shutil.copyfile(demo_warehouse.warehouse.path, duck_path)
    wal = Path(str(demo_warehouse.warehouse.path) + ".wal")
    if wal.exists():
        shutil.copyfile(wal, Path(str(duck_path) + ".wal"))
    with duckdb.connect(str(duck_path)) as con:
        add_partner_rows(con)
    run_dbt_on_postgres(["build", "--select", "source:partners+"], {}, work / "duckdb", duck_path)

    with contextlib.closing(postgres_server.connect()) as pg:
        copied = mirror(duck_path, DEFAULT_TABLES, connection=pg)
    assert copied["raw.smhi_emissions_co2"] > 0 and copied["trajectory.summary"] > 0
    run_dbt_on_postgres(
        ["build", "--target", "postgres"], postgres_server.env(), work / "postgres", duck_path
    )
    return duck_path, postgres_server


@contextlib.contextmanager
def pg_cursor(server, **connect_args):
    """A cursor whose transaction commits on success; the connection is closed after."""
    with contextlib.closing(server.connect(**connect_args)) as con, con, con.cursor() as cur:
        yield cur


def duckdb_relations(con, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() and "
            "schema_name = ? order by 1",
            [schema],
        ).fetchall()
    ]


def postgres_relations(cur, schema: str) -> list[str]:
    cur.execute(
        "select table_name from information_schema.tables where table_schema = %s order by 1",
        (schema,),
    )
    return [r[0] for r in cur.fetchall()]


def same_value(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def sort_key(row: tuple) -> tuple:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in row)


def columns_getter(indexes: list[int]):
    """row -> tuple of those columns (operator.itemgetter, which returns a bare value for one)."""
    if not indexes:
        return lambda _row: ()
    if len(indexes) == 1:
        return lambda row: (row[indexes[0]],)
    return operator.itemgetter(*indexes)


def table_differences(
    duck_rows: list[tuple], pg_rows: list[tuple], float_columns: set[int]
) -> list[str]:
    """Order-independent: rows are matched on their non-double columns, then compared."""
    problems: list[str] = []
    if len(duck_rows) != len(pg_rows):
        problems.append(f"{len(duck_rows)} rows in DuckDB, {len(pg_rows)} in Postgres")
    width = len(duck_rows[0]) if duck_rows else 0
    key_of = columns_getter([i for i in range(width) if i not in float_columns])
    doubles_of = columns_getter(sorted(float_columns))

    def grouped(rows):
        groups = defaultdict(list)
        for row in rows:
            groups[key_of(row)].append(doubles_of(row))
        return groups

    duck_groups, pg_groups = grouped(duck_rows), grouped(pg_rows)
    for key in sorted(duck_groups.keys() - pg_groups.keys(), key=sort_key)[:3]:
        problems.append(f"only in DuckDB: {key}")
    for key in sorted(pg_groups.keys() - duck_groups.keys(), key=sort_key)[:3]:
        problems.append(f"only in Postgres: {key}")

    def by_doubles(row: tuple) -> list[float]:
        return [(-math.inf if v is None else round(v, 3)) for v in row]

    for key, left in duck_groups.items():
        right = pg_groups.get(key)
        if right is None or left == right:  # exactly equal: the usual case
            continue
        left, right = sorted(left, key=by_doubles), sorted(right, key=by_doubles)
        if len(left) != len(right) or not all(
            same_value(x, y)
            for lr, rr in zip(left, right, strict=True)
            for x, y in zip(lr, rr, strict=True)
        ):
            problems.append(f"values differ for {key}: {left[:2]} vs {right[:2]}")
        if len(problems) > 8:
            break
    return problems


# The meter marts read the Parquet lake with DuckDB's read_parquet: dbt_project.yml disables the
# models/marts/meters folder on PostgreSQL.
DUCKDB_ONLY_MARTS = {
    p.stem for p in (DBT_PROJECT_DIR / "models" / "marts" / "meters").glob("*.sql")
}


def test_every_mart_matches_duckdb(parity):
    duck_path, server = parity
    with duckdb.connect(str(duck_path), read_only=True) as duck, pg_cursor(server) as cur:
        marts = duckdb_relations(duck, "marts")
        assert "trajectory" in marts and "fct_emissions" in marts and len(marts) >= 14
        assert DUCKDB_ONLY_MARTS and DUCKDB_ONLY_MARTS <= set(marts)
        marts = [m for m in marts if m not in DUCKDB_ONLY_MARTS]
        assert postgres_relations(cur, "marts") == marts
        report: dict[str, list[str]] = {}
        for mart in marts:
            duck_columns = duck.execute(
                "select column_name, data_type from duckdb_columns() where database_name = "
                "current_database() and schema_name = 'marts' and table_name = ? order by "
                "column_index",
                [mart],
            ).fetchall()
            cur.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = %s order by ordinal_position",
                (mart,),
            )
            pg_columns = cur.fetchall()
            problems = []
            if [c for c, _ in duck_columns] != [c for c, _ in pg_columns]:
                problems.append(f"columns {duck_columns} vs {pg_columns}")
            else:
                problems += [
                    f"{name}: {d} became {p}"
                    for (name, d), (_, p) in zip(duck_columns, pg_columns, strict=True)
                    if p not in POSTGRES_TYPES.get(d, {d.lower()})
                ]
                names = ", ".join(f'"{c}"' for c, _ in duck_columns)
                duck_rows = duck.execute(f'select {names} from marts."{mart}"').fetchall()
                cur.execute(f'select {names} from marts."{mart}"')
                pg_rows = cur.fetchall()
                floats = {i for i, (_, t) in enumerate(duck_columns) if t in ("DOUBLE", "FLOAT")}
                problems += table_differences(duck_rows, pg_rows, floats)
                assert duck_rows, f"{mart} is empty: nothing compared"
            if problems:
                report[mart] = problems
    assert not report, "\n".join(f"{m}:\n  " + "\n  ".join(p) for m, p in report.items())


def test_marts_keep_their_contract_types_on_postgres(parity):
    _, server = parity
    with pg_cursor(server) as cur:
        cur.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name <> 'trajectory'"
        )
        types = {(t, c): d for t, c, d in cur.fetchall()}
    assert types[("fct_emissions", "kommun_kod")] == "character varying"
    assert types[("fct_emissions", "unit")] == "character varying"
    assert types[("fct_emissions", "tonnes")] == "double precision"
    assert types[("emissions_per_capita", "population")] == "bigint"
    assert (
        types[("partner_reporting_status", "latest_received_at")] == "timestamp without time zone"
    )
    assert "text" not in set(types.values())  # every string column is the contract's varchar


# ---------------------------------------------------------------- the BI role


@pytest.fixture(scope="module")
def bi_cursor(parity):
    _, server = parity
    with pg_cursor(server) as cur:  # the warehouse user has CREATEROLE
        cur.execute("select 1 from pg_roles where rolname = %s", (BI_LOGIN,))
        if not cur.fetchall():
            cur.execute(
                f"create role {BI_LOGIN} login password %s in role bi_reader", (BI_PASSWORD,)
            )
    with contextlib.closing(server.connect(user=BI_LOGIN, password=BI_PASSWORD)) as con:
        con.autocommit = True  # each statement on its own: a refusal ends nothing
        with con.cursor() as cur:
            yield cur


def test_bi_reader_is_a_role_without_login(parity):
    _, server = parity
    with pg_cursor(server) as cur:
        cur.execute(
            "select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb from pg_roles where "
            "rolname = 'bi_reader'"
        )
        assert cur.fetchall() == [(False, False, False, False)]


def test_bi_reader_reads_every_mart(bi_cursor):
    for mart in postgres_relations(bi_cursor, "marts"):
        bi_cursor.execute(f'select count(*) from marts."{mart}"')
        assert bi_cursor.fetchone()[0] >= 0
    bi_cursor.execute(
        "select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081' and year = 2024 "
        "and gas = 'CO2e'"
    )
    assert bi_cursor.fetchone()[0] > 100_000


@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.dim_kommun (kommun_kod, kommun_namn, lan_kod, lan_namn) values "
        "('9999', 'X', '99', 'X')",
        "update marts.fct_emissions set tonnes = 0 where kommun_kod = '2081'",
        "delete from marts.dim_sector",
        "truncate marts.fct_carbon_budget",
        "create table marts.bi_scratch (x integer)",
        "create view marts.bi_view as select 1 as x",
        "drop table marts.dim_kommun",
        "alter table marts.dim_kommun add column x integer",
    ],
)
def test_bi_reader_cannot_change_the_marts(bi_cursor, statement):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        bi_cursor.execute(statement)


@pytest.mark.parametrize(
    "relation",
    [
        "raw.smhi_emissions_ggt",
        "raw.partner_submissions",
        "raw.scb_population",
        "staging.stg_smhi__emissions",
        "intermediate.int_smhi__kommun_detail_rows",
        "reference.partners",
        "trajectory.yearly_paths",
        "audit.warn_smhi_subsectors_do_not_add_up",
    ],
)
def test_bi_reader_cannot_read_below_the_marts(bi_cursor, relation):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        bi_cursor.execute(f"select * from {relation} limit 1")


def test_grants_survive_a_rebuild(parity, bi_cursor, tmp_path):
    """dbt replaces the mart tables on every run; the hook grants the new ones again."""
    duck_path, server = parity
    run_dbt_on_postgres(
        ["run", "--target", "postgres", "--select", "dim_kommun"], server.env(), tmp_path, duck_path
    )
    bi_cursor.execute("select count(*) from marts.dim_kommun")
    assert bi_cursor.fetchone()[0] == 290


# ---------------------------------------------------------------- the mirror itself


def test_postgres_types_of_duckdb_types():
    assert postgres_type("VARCHAR") == "text"
    assert postgres_type("DOUBLE") == "double precision"
    assert postgres_type("TIMESTAMP WITH TIME ZONE") == "timestamptz"
    assert postgres_type("DECIMAL(38,6)") == "numeric(38, 6)"
    assert postgres_type("UBIGINT") == "numeric(20, 0)"
    with pytest.raises(UnsupportedType):
        postgres_type("VARCHAR[]")


def test_mirror_copies_awkward_values_exactly(postgres_server, tmp_path):
    awkward = [
        (
            1,
            "",
            None,
            0.1 + 0.2,
            1e-300,
            'tab\there "q" new\nline\r\nend',
            True,
            datetime(2024, 4, 2, 9, 30, 0, 123456),
            date(2024, 1, 1),
            12345678901234,
            "back\\slash",
            "\\N",
            b"\x00\x01'\"\\",
        ),
        (
            2,
            " ",
            "x",
            -0.0,
            1.7976931348623157e308,
            "a,b;c|d",
            False,
            datetime(1900, 1, 1),
            date(1, 1, 1),
            -9223372036854775808,
            "åäö ÅÄÖ €",
            "NULL",
            b"",
        ),
        (3, None, "", math.inf, -math.inf, None, None, None, None, None, None, None, None),
    ]
    path = tmp_path / "awkward.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema edge")
        con.execute("""create table edge."Mixed Case" (id integer, empty varchar, nothing varchar, d
            double,
                       extreme double, text_value varchar, flag boolean, ts timestamp, day date, big
                           bigint,
                       backslash varchar, "null-ish" varchar, bytes blob)""")
        con.executemany(
            'insert into edge."Mixed Case" values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', awkward
        )
    with contextlib.closing(postgres_server.connect()) as pg:
        assert mirror(path, ["edge"], connection=pg) == {"edge.Mixed Case": 3}
        assert mirror(path, ["edge"], connection=pg) == {
            "edge.Mixed Case": 3
        }  # again: replaced, not added
    with pg_cursor(postgres_server) as cur:
        cur.execute('select * from edge."Mixed Case" order by id')
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in cur.fetchall()
        ]
        cur.execute("drop schema edge cascade")
    assert rows == awkward
    assert math.copysign(1, rows[1][3]) == -1  # negative zero kept


# ---------------------------------------------------------------- access hardening


def test_nothing_lands_in_public(parity):
    """Every model goes to its folder's schema; the target schema (PGSCHEMA) stays empty, even
    when it is `public` as here."""
    _, server = parity
    with pg_cursor(server) as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = "
            "'public'"
        )
        assert cur.fetchall() == []
        cur.execute(
            "select nspname from pg_namespace where nspname in ('staging', 'intermediate', "
            "'marts', 'reference') order by 1"
        )
        assert [r[0] for r in cur.fetchall()] == ["intermediate", "marts", "reference", "staging"]


def test_the_hook_revokes_create_on_public_from_public(parity, bi_cursor, tmp_path):
    """As before PostgreSQL 15: every login may create tables in public. The next dbt run closes
    it."""
    duck_path, server = parity
    with contextlib.closing(server.connect(superuser=True)) as con, con, con.cursor() as cur:
        cur.execute("grant create on schema public to public")
    bi_cursor.execute("select has_schema_privilege(%s, 'public', 'CREATE')", (BI_LOGIN,))
    assert bi_cursor.fetchone()[0] is True
    run_dbt_on_postgres(
        ["run", "--target", "postgres", "--select", "dim_kommun"], server.env(), tmp_path, duck_path
    )
    bi_cursor.execute(
        "select has_schema_privilege(%s, 'public', 'CREATE'), has_schema_privilege('public', "
        "'public', 'CREATE')",
        (BI_LOGIN,),
    )
    assert bi_cursor.fetchone() == (False, False)
    with pytest.raises(pg_errors.InsufficientPrivilege):
        bi_cursor.execute("create table public.bi_scratch (x integer)")


def test_default_privileges_cover_tables_the_dbt_user_creates_later(parity, bi_cursor):
    """A table the dbt user creates in marts after the hook ran (a new mart, before the next hook)
    is readable by bi_reader at once: the default privileges name the creating role."""
    _, server = parity
    with pg_cursor(server) as cur:
        cur.execute("""select pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype,
            d.defaclacl::text
                       from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace""")
        acls = cur.fetchall()
        assert any(
            role == server.user and schema == "marts" and kind == "r" and "bi_reader=r/" in acl
            for role, schema, kind, acl in acls
        ), acls
        cur.execute("create table marts.later_mart as select 1 as x")
    try:
        bi_cursor.execute("select x from marts.later_mart")
        assert bi_cursor.fetchall() == [(1,)]
    finally:
        with pg_cursor(server) as cur:
            cur.execute("drop table marts.later_mart")


def test_the_mirror_takes_the_sslmode_it_is_given(postgres_server, tmp_path):
    """The test server speaks no TLS: verify-full (the rule for a remote host) is refused by libpq
    before any row moves, disable connects. So the setting reaches the connection."""
    path = tmp_path / "small.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema tiny")
        con.execute("create table tiny.t as select 1 as x")
    s = postgres_server
    conninfo = f"host={s.host} port={s.port} dbname={s.dbname} user={s.user} password={s.password}"
    with pytest.raises(psycopg2.OperationalError, match="SSL"):
        mirror(path, ["tiny"], conninfo=conninfo, sslmode="verify-full")
    assert mirror(path, ["tiny"], conninfo=conninfo, sslmode="disable") == {"tiny.t": 1}
    with pg_cursor(s) as cur:
        cur.execute("drop schema tiny cascade")


AWKWARD_TEXT = [
    "it's",
    'say "hi"',
    "back\\slash",
    "semi; -- comment",
    "$$dollar$$",
    "åäö\nny rad\ttab",
    "' or '1'='1",
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_one_quoting_for_duckdb_and_postgres(postgres_server, text):
    """pipelines/lib/sql.py's quoting reads back unchanged in both engines, as a literal and as a
    table name."""
    from pipelines.lib.sql import quote_identifier, quote_literal

    with duckdb.connect() as con:
        assert con.execute(f"select {quote_literal(text)}").fetchall() == [(text,)]
        con.execute(f"create table {quote_identifier(text)} as select 1 as x")
        assert con.execute("select table_name from information_schema.tables").fetchall() == [
            (text,)
        ]
    with pg_cursor(postgres_server) as cur:
        cur.execute(f"select {quote_literal(text)}".replace("%", "%%"))
        assert cur.fetchall() == [(text,)]
        cur.execute(
            f"create temporary table {quote_identifier(text)} (x integer)".replace("%", "%%")
        )
        cur.execute("select relname from pg_class where relpersistence = 't' and relkind = 'r'")
        assert cur.fetchall() == [(text,)]


def test_quoting_refuses_nul():
    from pipelines.lib.sql import UnsafeSQLText, quote_identifier, quote_literal

    for quote in (quote_identifier, quote_literal):
        with pytest.raises(UnsafeSQLText, match="NUL"):
            quote("a\x00b")
    with pytest.raises(UnsafeSQLText):
        quote_identifier("")
