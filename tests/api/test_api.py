"""The download set and the open-data API, against a small serving copy published from the demo
warehouse (the session's `demo_warehouse`): every figure is recomputed here with plain DuckDB
from the serving file the API reads."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
import warnings
from pathlib import Path

import duckdb
import httpx
import openpyxl
import pytest

from pipelines.lib import downloads, publish
from pipelines.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # starlette's note about httpx2
    from fastapi.testclient import TestClient

from pipelines.api.app import create_app

KEEP = ("2081", "2080", "2062", "0180")  # Borlänge, Falun, Mora, Stockholm
BIG = 20_000  # marts with more rows keep only the kommuner above
FORMULA = '=HYPERLINK("http://example.invalid","x")'


def small_demo_copy(demo: Path, target: Path, scale: float = 1.0) -> Path:
    """The demo's marts, the big ones cut to KEEP; fct_emissions' tonnes times `scale` (a second
    warehouse that differs), and one source name that a spreadsheet would run as a formula."""
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{demo}' as demo (read_only)")
        con.execute("create schema marts")
        tables = con.execute("""select t.table_name, t.estimated_size,
                   bool_or(c.column_name = 'kommun_kod') as has_kommun
            from duckdb_tables() t
            join duckdb_columns() c using (database_name, schema_name, table_name)
            where t.database_name = 'demo' and t.schema_name = 'marts' group by all""").fetchall()
        for name, _, has_kommun in tables:
            rows = con.execute(f'select count(*) from demo.marts."{name}"').fetchall()[0][0]
            where = f"where kommun_kod in {KEEP}" if has_kommun and rows > BIG else ""
            con.execute(f'create table marts."{name}" as select * from demo.marts."{name}" {where}')
        if scale != 1.0:
            con.execute("update marts.fct_emissions set tonnes = tonnes * ?", [scale])
        con.execute(
            "update marts.dim_data_source set source_name = ? where source_id = 'smhi_ned'",
            [FORMULA],
        )
        con.execute("detach demo")
    return target


@pytest.fixture(scope="module")
def served(demo_warehouse, dbt_manifest, tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    warehouse = small_demo_copy(demo_warehouse.warehouse.path, root / "a.duckdb")
    published = publish.publish(warehouse, root / "serving", dbt_manifest=dbt_manifest)
    settings = Settings.from_env(
        {"SERVING_DIR": str(root / "serving"), "WAREHOUSE_PATH": str(warehouse)}
    )
    return settings, published, root


@pytest.fixture(scope="module")
def client(served):
    settings, _, _ = served
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.builds.close()


@pytest.fixture(scope="module")
def serving_con(served):
    _, published, _ = served
    with duckdb.connect(str(published.serving_file), read_only=True) as con:
        yield con


def scalar(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()[0][0]


# ---- downloads ---------------------------------------------------------------------------------
def test_download_set_validates_and_every_resource_has_its_marts_rows(
    served, serving_con, monkeypatch
):
    import socket

    from frictionless import Package

    _, published, _ = served
    folder = published.downloads_dir

    def no_network(*_args, **_kwargs):
        raise AssertionError("validation tried to reach the network")

    monkeypatch.setattr(
        socket.socket, "connect", no_network
    )  # offline: the profile is never fetched
    report = Package(str(folder / downloads.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["title", "message"])[:5]
    marts = {
        t
        for (t,) in serving_con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name not like '\\_%' escape '\\'"
        ).fetchall()
    }
    rows = {task.name: task.stats.get("rows") or 0 for task in report.tasks}
    # Every open mart, and not the one that names people; nothing from another schema.
    assert set(rows) == marts - {"partner_reporting_status"}
    for name, count in rows.items():
        assert count == scalar(serving_con, f'select count(*) from marts."{name}"'), name
    package = json.loads((folder / downloads.DATAPACKAGE).read_text(encoding="utf-8"))
    assert package["build_id"] == published.build_id
    emissions = next(r for r in package["resources"] if r["name"] == "fct_emissions")
    assert emissions["dialect"]["delimiter"] == ";" and emissions["encoding"] == "utf-8-sig"
    tonnes = next(f for f in emissions["schema"]["fields"] if f["name"] == "tonnes")
    assert tonnes["type"] == "number" and tonnes["decimalChar"] == "," and tonnes["unit"] == "t"
    assert tonnes["description"]  # from dbt's manifest
    assert emissions["vintage"] == "2026-06-25"
    assert [s["source_id"] for s in emissions["sources"]] == ["smhi_ned"]
    assert emissions["licenses"][0]["name"] == "CC-BY-4.0"
    assert {lic["name"] for lic in package["licenses"]} == {"CC-BY-4.0", "CC0-1.0"}
    assert set(emissions["formats"]) == {"csv", "xlsx", "json", "parquet"}
    assert not (folder / "partner_reporting_status.csv").exists()


def test_csv_opens_in_a_swedish_excel_and_formulas_are_inert(served, serving_con):
    _, published, _ = served
    raw = (published.downloads_dir / "emissions_per_capita.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    borlange = next(
        r for r in rows if r["kommun_kod"] == "2081" and r["year"] == "2024" and r["gas"] == "CO2e"
    )
    expected = scalar(
        serving_con,
        """select tonnes_per_capita from marts.emissions_per_capita
                                      where kommun_kod = '2081' and year = 2024 and gas = 'CO2e'""",
    )
    assert "," in borlange["tonnes_per_capita"] and "." not in borlange["tonnes_per_capita"]
    assert float(borlange["tonnes_per_capita"].replace(",", ".")) == pytest.approx(
        expected, rel=1e-12
    )
    assert borlange["in_latest_release"] == "true" and borlange["vintage"] == "2026-06-25"
    sources = list(
        csv.DictReader(
            io.StringIO(
                (published.downloads_dir / "dim_data_source.csv").read_text(encoding="utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert next(r for r in sources if r["source_id"] == "smhi_ned")["source_name"] == "'" + FORMULA
    as_json = json.loads(
        (published.downloads_dir / "dim_data_source.json").read_text(encoding="utf-8")
    )
    assert next(r for r in as_json if r["source_id"] == "smhi_ned")["source_name"] == "'" + FORMULA


def test_xlsx_holds_the_mart_typed(served, serving_con):
    _, published, _ = served
    book = openpyxl.load_workbook(
        published.downloads_dir / "emissions_per_capita.xlsx", read_only=True
    )
    sheet = list(book.active.iter_rows(values_only=True))
    names = [
        d[0]
        for d in serving_con.execute("select * from marts.emissions_per_capita limit 0").description
    ]
    assert list(sheet[0]) == names
    got = sorted(
        (tuple(v.date() if hasattr(v, "date") else v for v in row) for row in sheet[1:]),
        key=lambda r: (r[0], r[1], r[2]),
    )
    want = serving_con.execute(
        "select * from marts.emissions_per_capita order by 1, 2, 3"
    ).fetchall()
    assert got == [tuple(r) for r in want]
    sources = openpyxl.load_workbook(
        published.downloads_dir / "dim_data_source.xlsx", read_only=True
    )
    cells = [row for row in sources.active.iter_rows(values_only=True) if row[0] == "smhi_ned"]
    assert cells[0][1] == "'" + FORMULA


# ---- the API, good input -----------------------------------------------------------------------
def test_health_kommuner_and_kommun(client, served, serving_con):
    _, published, _ = served
    health = client.get("/v1/health")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "build_id": published.build_id,
        "built_at": published.manifest["built_at"],
    }
    assert health.headers["x-build-id"] == published.build_id

    page = client.get("/v1/kommuner", params={"limit": 1000}).json()
    assert page["total"] == 290 == len(page["items"])
    borlange = next(k for k in page["items"] if k["kommun_kod"] == "2081")
    year, population = (
        serving_con.execute("""select year, population from marts.emissions_per_capita
        where kommun_kod = '2081' and gas = 'CO2e' and population is not null
        order by year desc limit 1""").fetchall()[0]
    )
    assert borlange == {
        "kommun_kod": "2081",
        "kommun_namn": "Borlänge",
        "lan_kod": "20",
        "lan_namn": "Dalarnas län",
        "population": population,
        "population_year": year,
    }
    second = client.get("/v1/kommuner", params={"limit": 2, "offset": 2}).json()["items"]
    assert [k["kommun_kod"] for k in second] == [k["kommun_kod"] for k in page["items"][2:4]]

    kommun = client.get("/v1/kommuner/2081").json()
    rank = serving_con.execute("""select year, rank_in_lan, kommuner_in_lan, rank_in_sweden,
            tonnes_per_capita
        from marts.emissions_rank_in_lan where kommun_kod = '2081' and gas = 'CO2e'
        order by year desc limit 1""").fetchall()[0]
    assert (
        kommun["rank_in_lan"]["year"],
        kommun["rank_in_lan"]["rank_in_lan"],
        kommun["rank_in_lan"]["kommuner_in_lan"],
        kommun["rank_in_lan"]["rank_in_sweden"],
    ) == rank[:4]
    assert kommun["rank_in_lan"]["tonnes_per_capita"] == pytest.approx(rank[4])
    total = scalar(
        serving_con,
        """select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081'
                                   and gas = 'CO2e' and year = 2024 and in_latest_release""",
    )
    assert kommun["latest_year"] == 2024 and kommun["latest_tonnes_co2e"] == pytest.approx(
        total, abs=0.01
    )


def test_emissions_per_year_and_main_sector(client, serving_con):
    answer = client.get(
        "/v1/kommuner/2081/emissions", params={"gas": "CO2e", "from_year": 2020, "to_year": 2024}
    )
    assert answer.status_code == 200
    items = answer.json()["items"]
    want = serving_con.execute("""select year, huvudsektor_code, sum(tonnes)
        from marts.fct_emissions
        where kommun_kod = '2081' and gas = 'CO2e' and in_latest_release
          and year between 2020 and 2024
        group by all order by 1, 2""").fetchall()
    assert [(i["year"], i["sector_code"]) for i in items] == [(y, s) for y, s, _ in want]
    for item, (_, _, tonnes) in zip(items, want, strict=True):
        assert item["tonnes"] == pytest.approx(tonnes)
        assert (
            item["unit"] == "t CO2e"
            and item["vintage"] == "2026-06-25"
            and item["source_id"] == "smhi_ned"
        )
    transport = client.get(
        "/v1/kommuner/2081/emissions", params={"sector": "Transporter", "gas": "CO2"}
    ).json()["items"]
    assert {i["sector_code"] for i in transport} == {"transport"} and {
        i["gas"] for i in transport
    } == {"CO2"}
    by_code = client.get(
        "/v1/kommuner/2081/emissions", params={"sector": "transport", "gas": "CO2"}
    ).json()["items"]
    assert by_code == transport
    as_csv = client.get(
        "/v1/kommuner/2081/emissions", params={"from_year": 2024, "to_year": 2024, "format": "csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert sum(float(r["tonnes"].replace(",", ".")) for r in rows) == pytest.approx(
        sum(t for y, _, t in want if y == 2024)
    )


@pytest.mark.parametrize("kommun_kod", ["2081", "0180", "2062"])
def test_nowcast_is_the_marts_estimates_with_ranges_backtest_and_paris(
    client, serving_con, kommun_kod
):
    answer = client.get(f"/v1/kommuner/{kommun_kod}/nowcast")
    assert answer.status_code == 200
    body = answer.json()
    assert body["is_estimate"] is True and all(e["is_estimate"] for e in body["estimates"])
    expected = serving_con.execute(
        """select gas, year, nowcast_t, lower_80_t, upper_80_t, lower_95_t, upper_95_t
           from marts.fct_emissions_nowcast where kommun_kod = ? and huvudsektor = 'Alla'
           order by gas, year""",
        [kommun_kod],
    ).fetchall()
    got = [
        (e["gas"], e["year"], e["nowcast_t"], e["lower_80_t"], e["upper_80_t"], e["lower_95_t"])
        for e in body["estimates"]
    ]
    assert [g[:2] for g in got] == [e[:2] for e in expected] and len(got) >= 2
    for g, e in zip(got, expected, strict=True):
        assert g[2:] == pytest.approx(e[2:6])
        assert e[3] <= e[2] <= e[4] and e[5] <= e[3]  # nested ranges around the estimate
    assert body["backtest"]["gas"] == "CO2e" and 0.75 <= body["backtest"]["coverage_80"] <= 0.85
    # the scored 2024 is in part SMHI's own scaling of 2023 (docs/analysts.md, Nowcast)
    assert body["backtest"]["actual_common_change_share"] == pytest.approx(0.1629, abs=1e-4)
    preliminary = serving_con.execute(
        """select huvudsektor, tonnes from marts.fct_nowcast_base_year_common_change
        where kommun_kod = ? and follows_common_factor order by gas, tonnes desc""",
        [kommun_kod],
    ).fetchall()
    got = [(c["huvudsektor"], c["tonnes"]) for c in body["smhi_preliminary"]]
    assert got == [(s, pytest.approx(t)) for s, t in preliminary]
    if kommun_kod == "2081":
        assert [s for s, _ in got[:2]] == [
            "Industri (energi + processer)",
            "Produktanvändning (inkl. lösningsmedel)",
        ]
    assert {p["method"] for p in body["paris"]} == {
        m
        for (m,) in serving_con.execute(
            "select method from marts.fct_nowcast_paris where kommun_kod = ?", [kommun_kod]
        ).fetchall()
    }


def test_nowcast_sectors_csv_and_bad_requests(client, serving_con):
    totals = client.get("/v1/kommuner/2081/nowcast").json()["estimates"]
    sectors = client.get("/v1/kommuner/2081/nowcast", params={"sectors": "true"}).json()
    assert len(sectors["estimates"]) == scalar(
        serving_con, "select count(*) from marts.fct_emissions_nowcast where kommun_kod = '2081'"
    )
    assert len(sectors["estimates"]) > len(totals)
    csv = client.get("/v1/kommuner/2081/nowcast", params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    unknown = client.get("/v1/kommuner/2081/nowcast", params={"yaer": "2025"})
    assert unknown.status_code == 400 and "yaer" in unknown.text
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/kommuner/२०८१/nowcast").status_code == 422
    assert client.get("/v1/kommuner/9999/nowcast").status_code == 404


def test_scenarios_are_the_marts_business_as_usual_and_plan(client, serving_con):
    body = client.get("/v1/kommuner/2081/scenarios").json()
    assert body["is_projection"] is True
    expected = serving_con.execute(
        """select scenario, year, inventory, emissions_t, p50_t from marts.fct_scenario_emissions
           where kommun_kod = '2081' and sector = 'total' order by scenario, inventory, year"""
    ).fetchall()
    got = [
        (r["scenario"], r["year"], r["inventory"], r["emissions_t"], r["p50_t"])
        for r in body["years"]
    ]
    assert len(got) == len(expected) > 0
    for g, e in zip(got, expected, strict=True):
        assert g[:3] == e[:3] and g[3:] == pytest.approx(e[3:], nan_ok=True)
    plan_2030 = {(r["scenario"], r["inventory"]): r for r in body["years"] if r["year"] == 2030}
    bau, plan = plan_2030[("bau", "territorial")], plan_2030[("plan", "territorial")]
    assert plan["emissions_t"] < bau["emissions_t"]  # the plan cuts
    assert plan["p10_t"] <= plan["p50_t"] <= plan["p90_t"]
    assert all(r["is_synthetic"] for r in body["years"])  # the demo's portfolio is synthetic
    assert {s["scenario"] for s in body["summary"]} <= {"bau", "plan", "beslutade"}
    one = client.get("/v1/kommuner/2081/scenarios", params={"scenario": "plan"}).json()
    assert {r["scenario"] for r in one["years"]} == {"plan"}
    bad = client.get("/v1/kommuner/2081/scenarios", params={"scenario": "drom"})
    assert bad.status_code == 422 and "drom" in bad.text


def test_actions_list_each_tracked_action_with_its_impact_in_the_year(client, serving_con):
    body = client.get("/v1/actions", params={"year": 2030}).json()
    tracked = scalar(serving_con, "select count(*) from marts.fct_action_tracking")
    assert len(body["actions"]) == tracked > 0
    impacts = dict(
        serving_con.execute(
            "select action_id, impact_t from marts.fct_action_impact where year = 2030"
        ).fetchall()
    )
    for action in body["actions"]:
        if action["action_id"] in impacts:
            assert action["impact_t"] == pytest.approx(impacts[action["action_id"]])
    assert client.get("/v1/actions", params={"year": 1800}).status_code == 422
    assert client.get("/v1/actions", params={"kommun": "2081"}).status_code == 400


def test_trajectory_summary_and_yearly_path(client, serving_con):
    answer = client.get("/v1/kommuner/2081/trajectory").json()
    methods = [
        m
        for (m,) in serving_con.execute(
            "select method from marts.trajectory where kommun_kod = '2081' order by method"
        ).fetchall()
    ]
    assert [m["method"] for m in answer["methods"]] == methods and len(methods) >= 3
    carbon_law = client.get("/v1/kommuner/2081/trajectory", params={"method": "carbon_law"}).json()[
        "methods"
    ]
    assert len(carbon_law) == 1
    trend_sum, allowed_sum = (
        serving_con.execute("""select trend_sum_t, allowed_sum_t from marts.trajectory
        where kommun_kod = '2081' and method = 'carbon_law'""").fetchall()[0]
    )
    assert carbon_law[0]["summary"]["trend_sum_t"] == pytest.approx(trend_sum)
    assert carbon_law[0]["summary"]["allowed_sum_t"] == pytest.approx(allowed_sum)
    path = carbon_law[0]["path"]
    assert len(path) == scalar(
        serving_con,
        """select count(*) from marts.fct_carbon_budget
           where kommun_kod = '2081' and method = 'carbon_law'""",
    )
    allowed = scalar(
        serving_con,
        """select sum(allowed_t) from marts.fct_carbon_budget
                                     where kommun_kod = '2081' and method = 'carbon_law'""",
    )
    assert sum(p["allowed_t"] or 0 for p in path) == pytest.approx(allowed)
    as_csv = client.get(
        "/v1/kommuner/2081/trajectory", params={"method": "carbon_law", "format": "csv"}
    )
    assert len(
        list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    ) == len(path)


def test_datasets_list_and_files(client, served, serving_con):
    _, published, _ = served
    listing = client.get("/v1/datasets").json()
    items = {d["name"]: d for d in listing["items"]}
    assert "partner_reporting_status" not in items and "fct_emissions" in items
    emissions = items["fct_emissions"]
    assert emissions["rows"] == scalar(serving_con, "select count(*) from marts.fct_emissions")
    assert emissions["build_id"] == published.build_id and emissions["licences"]
    assert [c["name"] for c in emissions["columns"]][:3] == ["kommun_kod", "year", "huvudsektor"]
    as_csv = client.get("/v1/datasets", params={"format": "csv"})
    assert len(
        list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    ) == len(items)
    for extension in ("csv", "json", "parquet", "xlsx"):
        answer = client.get(f"/v1/datasets/dim_kommun.{extension}")
        assert answer.status_code == 200, extension
        assert answer.content == (published.downloads_dir / f"dim_kommun.{extension}").read_bytes()
    parquet = client.get("/v1/datasets/fct_emissions.parquet").content
    (published.downloads_dir.parent / "check.parquet").write_bytes(parquet)
    assert (
        scalar(
            serving_con,
            "select count(*) from read_parquet(?)",
            [str(published.downloads_dir.parent / "check.parquet")],
        )
        == emissions["rows"]
    )


def test_openapi_and_an_offline_docs_page(client):
    spec = client.get("/openapi.json").json()
    assert {
        "/v1/health",
        "/v1/kommuner",
        "/v1/kommuner/{kommun_kod}",
        "/v1/kommuner/{kommun_kod}/emissions",
        "/v1/kommuner/{kommun_kod}/trajectory",
        "/v1/datasets",
        "/v1/datasets/{name}.{extension}",
    } <= set(spec["paths"])
    page = client.get("/docs")
    assert page.status_code == 200 and "/v1/kommuner/{kommun_kod}/emissions" in page.text
    assert (
        "<script" not in page.text
        and "src=" not in page.text
        and "default-src 'none'" in page.headers["content-security-policy"]
    )


# ---- the API, hostile input --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/v1/kommuner/9999", 404, "kommun_kod"),
        ("/v1/kommuner/9999/emissions", 404, "kommun_kod"),
        ("/v1/kommuner/20811", 422, "kommun_kod"),
        ("/v1/kommuner/2081' or '1'='1", 422, "kommun_kod"),
        ("/v1/kommuner/abcd/trajectory", 422, "kommun_kod"),
        ("/v1/kommuner/2081/emissions?from_year=1800", 422, "from_year"),
        ("/v1/kommuner/2081/emissions?to_year=99999", 422, "to_year"),
        ("/v1/kommuner/2081/emissions?from_year=2024&to_year=2020", 422, "from_year"),
        ("/v1/kommuner/2081/emissions?from_year=nineteen", 422, "from_year"),
        ("/v1/kommuner/2081/emissions?gas=CH4", 422, "gas"),
        ("/v1/kommuner/2081/emissions?sector=Rymdfart", 422, "sector"),
        (
            "/v1/kommuner/2081/emissions?sector=transport';drop table marts.fct_emissions;--",
            422,
            "sector",
        ),
        ("/v1/kommuner/2081/trajectory?method=magic", 422, "method"),
        ("/v1/kommuner/2081/trajectory?method=../../etc/passwd", 422, "method"),
        ("/v1/kommuner?limit=1000001", 422, "limit"),
        ("/v1/kommuner?limit=-5", 422, "limit"),
        ("/v1/kommuner?limit=0", 422, "limit"),
        ("/v1/kommuner?offset=-1", 422, "offset"),
        ("/v1/kommuner?format=xml", 422, "format"),
        ("/v1/datasets?limit=99999999999999999999", 422, "limit"),
        ("/v1/datasets/partner_reporting_status.csv", 404, "name"),
        ("/v1/datasets/raw.smhi_emissions.csv", 422, "name"),
        ("/v1/datasets/fct_emissions.exe", 422, "extension"),
        ("/v1/datasets/..%2f..%2fborlange.duckdb.csv", 404, None),
        ("/v1/nowhere", 404, None),
    ],
)
def test_bad_input_gets_a_problem_naming_the_parameter(client, url, status, parameter):
    answer = client.get(url)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert (
        body["status"] == status
        and body["title"]
        and body["detail"]
        and body["type"] == "about:blank"
    )
    assert body.get("parameter") == parameter
    assert "Traceback" not in answer.text


def test_an_unexpected_error_is_a_problem_without_a_traceback(served, monkeypatch):
    settings, _, _ = served
    app = create_app(settings)
    from pipelines.api import queries

    monkeypatch.setattr(queries, "KOMMUNER_SQL", "select * from marts.no_such_table")
    with TestClient(app, raise_server_exceptions=False) as broken:
        answer = broken.get("/v1/kommuner")
    app.state.builds.close()
    assert (
        answer.status_code == 500 and answer.headers["content-type"] == "application/problem+json"
    )
    assert "no_such_table" not in answer.text and "Traceback" not in answer.text


# ---- caching, CORS, compression ----------------------------------------------------------------
def test_etag_from_the_build_304_cache_control_cors_and_gzip(client, served):
    _, published, _ = served
    first = client.get(
        "/v1/kommuner/2081/emissions",
        headers={"Origin": "https://example.org", "Accept-Encoding": "gzip"},
    )
    etag = first.headers["etag"]
    assert published.build_id in etag and first.headers["cache-control"].startswith(
        "public, max-age="
    )
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.headers["content-encoding"] == "gzip"
    again = client.get("/v1/kommuner/2081/emissions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_url = client.get("/v1/kommuner/2080/emissions", headers={"If-None-Match": etag})
    assert other_url.status_code == 200 and other_url.headers["etag"] != etag
    stale = client.get(
        "/v1/kommuner/2081/emissions", headers={"If-None-Match": '"20000101T000000000000Z-0"'}
    )
    assert stale.status_code == 200


# ---- concurrent readers while builds are published ---------------------------------------------
def test_concurrent_readers_during_publishes_see_one_consistent_build_each(
    demo_warehouse, dbt_manifest, served, tmp_path
):
    """Four client threads against uvicorn on a loopback port while three builds are published,
    alternating two warehouses whose emissions differ: no error, and every answer's figures are
    those of the build its X-Build-Id names (health's build id equals its header)."""
    import uvicorn

    settings, _, root = served
    a = root / "a.duckdb"
    b = small_demo_copy(demo_warehouse.warehouse.path, tmp_path / "b.duckdb", scale=2.0)
    serving = tmp_path / "serving"
    expected: dict[str, float] = {}

    def publish_one(warehouse: Path, n: int) -> None:
        build = publish.new_build_id(f"{warehouse.stem}{n}")  # known before readers can see it
        with duckdb.connect(str(warehouse), read_only=True) as con:
            expected[build] = scalar(
                con,
                """select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081'
                   and gas = 'CO2e' and year = 2024 and in_latest_release""",
            )
        assert (
            publish.publish(warehouse, serving, build_id=build, dbt_manifest=dbt_manifest).build_id
            == build
        )

    publish_one(a, 0)
    app = create_app(Settings.from_env({"SERVING_DIR": str(serving)}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    stop, errors, seen = threading.Event(), [], []

    def reader() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for i in range(3000):  # bounded, and ends when the publishes do
                if stop.is_set():
                    break
                time.sleep(0.01)
                try:
                    if i % 2:
                        answer = http.get("/v1/health")
                        ok = (
                            answer.status_code == 200
                            and answer.json()["build_id"] == answer.headers["x-build-id"]
                        )
                    else:
                        answer = http.get(
                            "/v1/kommuner/2081/emissions",
                            params={"from_year": 2024, "to_year": 2024},
                        )
                        build = answer.headers.get("x-build-id")
                        total = sum(item["tonnes"] for item in answer.json()["items"])
                        ok = (
                            answer.status_code == 200
                            and build in expected
                            and total == pytest.approx(expected[build])
                        )
                        seen.append(build)
                    if not ok:
                        build = answer.headers.get("x-build-id")
                        errors.append(f"{answer.status_code} {build} {answer.text[:200]}")
                except Exception as exc:  # noqa: BLE001 - every failure is a finding
                    errors.append(f"{type(exc).__name__}: {exc}")

    readers = [threading.Thread(target=reader) for _ in range(4)]
    try:
        for r in readers:
            r.start()
        for i in range(3):
            publish_one(b if i % 2 == 0 else a, i + 1)
            time.sleep(0.5)
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=10)
        app.state.builds.close()
    assert errors == []
    assert len(seen) >= 20 and len(set(seen)) >= 3  # the readers saw at least three builds
    assert len(expected) == 4 and publish.current_build(serving) in expected
    assert expected[publish.current_build(serving)] == pytest.approx(
        2 * min(expected.values())
    )  # b is twice a


def test_a_request_on_a_build_that_publishes_prune_still_reads_it_and_its_connection_closes(
    tmp_path, dbt_manifest
):
    """publish.py keeps the newest KEEP_BUILDS builds: a request that holds the oldest keeps
    reading its DuckDB file and its download files after the folder is removed, and the cache
    closes that build's connection when the request ends (nothing stays open on old builds)."""
    from pipelines.api.builds import BuildCache, open_download

    warehouse = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_kommun as select '2081' as kommun_kod, "
            "'Borlänge' as kommun_namn, '20' as lan_kod, 'Dalarnas län' as lan_namn"
        )
    serving = tmp_path / "serving"
    first = publish.publish(warehouse, serving, dbt_manifest=dbt_manifest)
    cache = BuildCache(serving)
    held = cache.acquire()
    fd = open_download(held, held.resources["dim_kommun"]["formats"]["csv"])
    for _ in range(publish.KEEP_BUILDS + 1):
        publish.publish(warehouse, serving, dbt_manifest=dbt_manifest)
    assert not first.downloads_dir.parent.exists()  # pruned
    newest = cache.acquire()
    assert newest.build_id != held.build_id == first.build_id
    with held.cursor() as cur:
        assert cur.execute("select kommun_namn from marts.dim_kommun").fetchall() == [("Borlänge",)]
    assert os.read(fd, 3) == b"\xef\xbb\xbf"
    os.close(fd)
    cache.release(held)
    assert held.build_id not in cache._builds
    with pytest.raises(duckdb.ConnectionException):
        held.connection.execute("select 1")
    cache.release(newest)
    assert list(cache._builds) == [
        newest.build_id
    ]  # the current build stays open for the next request
    cache.close()


# ---- issue 21: hostile requests (items 19-23) -----------------------------------------------
@pytest.fixture(scope="module")
def live(served):
    """The API under uvicorn with the server's own guards (pipelines/api/server.py), on a loopback
    port, with small bounds: 8 KiB of headers, 1 s to send them."""
    import uvicorn

    from pipelines.api import server

    settings, _, _ = served
    settings = settings.updated(api={"max_header_bytes": 8192, "header_timeout_s": 1.0})
    app = create_app(settings)
    running = uvicorn.Server(server.config(app, settings.api, port=0))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield running.servers[0].sockets[0].getsockname()[1]
    running.should_exit = True
    thread.join(timeout=10)
    app.state.builds.close()


def exchange(port: int, pieces, pause: float = 0.0) -> bytes:
    """Send `pieces` on a raw socket until the server answers (or closes), then read what it
    sends until it closes the connection; at most 30 s in all."""
    import select
    import socket

    deadline = time.monotonic() + 30
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for piece in pieces:
            if select.select([sock], [], [], pause)[0]:
                break  # the server has answered
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
        answer = b""
        while time.monotonic() < deadline:  # to the end: the server closes after its answer
            if not select.select([sock], [], [], 1.0)[0]:
                continue
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
        return answer


def problem_of(answer: bytes) -> dict:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower(), head
    assert b"x-content-type-options: nosniff" in head.lower(), head
    return json.loads(body)


def flood(total: int, shape: str):
    """Request headers of `total` bytes in one of several shapes, in 16 KiB pieces."""
    if shape == "one header":
        head = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * total + b"\r\n\r\n"
    elif shape == "many headers":
        lines = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 90) for i in range(total // 100))
        head = b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" + lines + b"\r\n"
    else:  # a long URL
        head = b"GET /v1/health?" + b"q" * total + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    return (head[i : i + 16384] for i in range(0, len(head), 16384))


@pytest.mark.parametrize("shape", ["one header", "many headers", "long url"])
@pytest.mark.parametrize("total", [64 * 1024, 1 << 20, 16 << 20])
def test_oversized_request_headers_get_431_and_the_connection_closes(live, shape, total):
    answer = exchange(live, flood(total, shape))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert problem_of(answer)["status"] == 431


def test_headers_within_the_limit_are_answered(live):
    lines = b"".join(b"X-H%d: %s\r\n" % (i, b"c" * 90) for i in range(50))  # about 5 KiB
    request = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + lines + b"\r\n"
    answer = exchange(live, [request])
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


@pytest.mark.parametrize(
    "pieces",
    [
        [],  # connects and sends nothing
        [b"GET /v1/he"],  # half a request line
        [b"GET /v1/health HTTP/1.1\r\n"] + [b"X-Slow: %d\r\n" % i for i in range(200)],  # a trickle
        [b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/health HTTP/1.1\r\n"]
        + [b"X-Slow: 1\r\n"] * 200,  # the second request on a kept-alive connection
    ],
    ids=["silent", "half a line", "trickle", "second request"],
)
def test_request_headers_too_slow_get_408_and_the_connection_closes(live, pieces):
    answer = exchange(live, pieces, pause=0.2)
    last = answer[answer.rfind(b"HTTP/1.1 ") :]
    assert last.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert problem_of(last)["status"] == 408


def test_many_slow_sockets_are_all_closed(live):
    """20 sockets each sending a header line every 0.2 s: the server closes every one."""
    import socket

    sockets = [socket.create_connection(("127.0.0.1", live), timeout=10) for _ in range(20)]
    try:
        closed = set()
        for i in range(100):
            for n, sock in enumerate(sockets):
                if n in closed:
                    continue
                try:
                    sock.sendall(b"GET /v1/health HTTP/1.1\r\n" if i == 0 else b"X-A: 1\r\n")
                except OSError:
                    closed.add(n)
            if len(closed) == len(sockets):
                break
            time.sleep(0.2)
        assert len(closed) == len(sockets)
    finally:
        for sock in sockets:
            sock.close()


EXISTING = [
    "/v1/health",
    "/v1/kommuner",
    "/v1/kommuner/2081",
    "/v1/kommuner/2081/emissions?gas=CO2",
    "/v1/kommuner/2081/trajectory",
    "/v1/datasets",
    "/v1/datasets/dim_kommun.csv",
]
MISSING_OR_INVALID = [
    ("/v1/nonexistent", 404),
    ("/v1/kommuner/9999", 404),
    ("/v1/kommuner/9999/emissions", 404),
    ("/v1/datasets/no_such_mart.csv", 404),
    ("/v1/kommuner?limit=-5", 422),
    ("/v1/kommuner?format=xml", 422),
    ("/v1/kommuner/2081/emissions?sector=Rymdfart", 422),
    ("/v1/kommuner?lan=20", 400),
]


@pytest.mark.parametrize("url", EXISTING)
def test_if_none_match_star_answers_304_where_the_url_exists(client, url):
    answer = client.get(url, headers={"If-None-Match": "*"})
    assert answer.status_code == 304 and answer.content == b""
    assert answer.headers["etag"] == client.get(url).headers["etag"]


@pytest.mark.parametrize(("url", "status"), MISSING_OR_INVALID)
def test_if_none_match_never_hides_a_problem(client, served, url, status):
    from pipelines.api.middleware import entity_tag

    _, published, _ = served
    path, _, query = url.partition("?")
    forged = entity_tag(published.build_id, path, query.encode()).decode()
    for condition in ("*", forged, f'W/"x", {forged}'):
        answer = client.get(url, headers={"If-None-Match": condition})
        assert answer.status_code == status, (condition, answer.status_code)
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8443", "127.0.0.1:1", "xn--80ak6aa92e.com"]
)
def test_links_never_come_from_the_host_header(client, host):
    for headers in ({"Host": host}, {"X-Forwarded-Host": host, "Forwarded": f"host={host}"}):
        listing = client.get("/v1/datasets", params={"limit": 2}, headers=headers)
        links = [url for d in listing.json()["items"] for url in d["downloads"].values()]
        links.append(listing.json()["next"])
        assert links and all(link.startswith("/v1/datasets") for link in links), links
        assert host not in listing.text and host not in listing.headers["link"]


def test_a_public_base_url_makes_the_links_absolute(served):
    settings, _, _ = served
    base = "https://data.example.se/klimat"
    app = create_app(settings.updated(api={"public_base_url": base}))
    with TestClient(app) as other:
        listing = other.get("/v1/datasets", params={"limit": 1}, headers={"Host": "evil.example"})
        kommuner = other.get("/v1/kommuner", params={"limit": 10})
    app.state.builds.close()
    downloads_ = listing.json()["items"][0]["downloads"]
    assert downloads_ and all(u.startswith(f"{base}/v1/datasets/") for u in downloads_.values())
    assert kommuner.json()["next"] == f"{base}/v1/kommuner?limit=10&offset=10"
    assert kommuner.headers["link"] == f'<{base}/v1/kommuner?limit=10&offset=10>; rel="next"'


def test_a_public_base_url_must_be_an_http_url():
    from pipelines.settings import SettingsError

    for bad in ("ftp://x.example", "https://x.example/?a=1", "javascript:alert(1)", "x.example"):
        with pytest.raises(SettingsError, match="API_PUBLIC_BASE_URL"):
            Settings.from_env({"API_PUBLIC_BASE_URL": bad})
    assert (
        Settings.from_env({"API_PUBLIC_BASE_URL": "https://x.example/api/"}).api.public_base_url
        == "https://x.example/api"
    )


DIGITS = {
    "devanagari": "२०८१",
    "full-width": "２０８１",
    "arabic-indic": "٢٠٨١",
    "extended arabic-indic": "۲۰۸۱",
    "bengali": "২০৮১",
    "mathematical bold": "𝟐𝟎𝟖𝟏",
    "superscript": "²⁰⁸¹",
    "mixed": "20８1",
}


@pytest.mark.parametrize("code", DIGITS.values(), ids=DIGITS.keys())
@pytest.mark.parametrize("route", ["", "/emissions", "/trajectory"])
def test_a_kommun_code_in_other_digits_is_422(client, code, route):
    answer = client.get(f"/v1/kommuner/{code}{route}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["parameter"] == "kommun_kod"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from_year=٢٠٢٠", "from_year"),
        ("year=２０２４", "year"),
        ("limit=१०", "limit"),
        ("offset=𝟏", "offset"),
        ("vintage=２０２６-０６-２５", "vintage"),
    ],
)
def test_numbers_and_dates_in_other_digits_are_422(client, query, parameter):
    answer = client.get(f"/v1/kommuner/2081/emissions?{query}")
    assert answer.status_code == 422 and answer.json()["parameter"] == parameter


def test_a_lan_code_in_other_digits_is_422(client):
    for code in ("２０", "٢٠", "२०"):
        answer = client.get("/v1/kommuner", params={"lan_kod": code})
        assert answer.status_code == 422 and answer.json()["parameter"] == "lan_kod"


SNIFFED = [
    ("GET", "/v1/health"),
    ("GET", "/v1/kommuner?format=csv"),
    ("GET", "/v1/kommuner/9999"),
    ("GET", "/v1/kommuner/abc"),
    ("GET", "/v1/kommuner?x=1"),
    ("GET", "/v1/datasets/dim_kommun.parquet"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/nowhere"),
    ("HEAD", "/v1/kommuner"),
    ("POST", "/v1/kommuner"),
    ("OPTIONS", "/v1/kommuner"),
]


@pytest.mark.parametrize(("method", "url"), SNIFFED)
def test_every_answer_is_nosniff(client, method, url):
    answer = client.request(method, url, headers={"Origin": "https://example.org"})
    assert answer.headers["x-content-type-options"] == "nosniff", answer.status_code
    conditional = client.get(url, headers={"If-None-Match": "*"})
    assert conditional.headers["x-content-type-options"] == "nosniff"


def test_nosniff_on_503_and_the_docs_page_cannot_be_framed(client, tmp_path):
    app = create_app(Settings.from_env({"SERVING_DIR": str(tmp_path / "empty")}))
    with TestClient(app) as empty:
        answer = empty.get("/v1/kommuner")
    assert answer.status_code == 503 and answer.headers["x-content-type-options"] == "nosniff"
    policy = client.get("/docs").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy


# ---- issue 22: an API developers enjoy --------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/v1/kommuner?lan=20", ["lan"]),
        ("/v1/kommuner?lan_kod=20&page=2", ["page"]),
        ("/v1/kommuner/2081/emissions?yaer=2024", ["yaer"]),
        ("/v1/kommuner/2081/emissions?gas=CO2&Sector=transport&vintag=x", ["Sector", "vintag"]),
        ("/v1/kommuner/2081?format=csv", ["format"]),
        ("/v1/kommuner/2081/trajectory?methods=carbon_law", ["methods"]),
        ("/v1/health?verbose=1", ["verbose"]),
        ("/v1/datasets?fromat=csv", ["fromat"]),
        ("/v1/datasets/dim_kommun.csv?limit=5", ["limit"]),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(client, url, unknown):
    answer = client.get(url)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["unknown"] == unknown and body["parameter"] == unknown[0]
    assert all(name in body["detail"] for name in unknown)


@pytest.mark.parametrize("limit", [1, 37, 100, 289, 290])
def test_next_links_walk_every_kommun_exactly_once(client, serving_con, limit):
    seen, url, pages = [], f"/v1/kommuner?limit={limit}", 0
    while url is not None:
        answer = client.get(url)
        body = answer.json()
        assert body["limit"] == limit and body["total"] == 290
        seen += [k["kommun_kod"] for k in body["items"]]
        link = answer.headers.get("link")
        assert link == (f'<{body["next"]}>; rel="next"' if body["next"] else None)
        url, pages = body["next"], pages + 1
    want = [k for (k,) in serving_con.execute("select kommun_kod from marts.dim_kommun").fetchall()]
    assert sorted(seen) == seen == sorted(want) and len(set(seen)) == 290
    assert pages == -(-290 // limit)


def test_next_links_keep_the_filters_and_csv_pages_link_too(client):
    first = client.get("/v1/kommuner/2081/emissions", params={"gas": "CO2", "limit": 5})
    body = first.json()
    assert body["next"] == "/v1/kommuner/2081/emissions?gas=CO2&limit=5&offset=5"
    rows = body["items"]
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["items"]
    everything = client.get("/v1/kommuner/2081/emissions", params={"gas": "CO2"}).json()
    assert rows == everything["items"] and everything["next"] is None
    as_csv = client.get("/v1/kommuner", params={"lan_kod": "20", "limit": 10, "format": "csv"})
    assert (
        as_csv.headers["link"]
        == '</v1/kommuner?lan_kod=20&format=csv&limit=10&offset=10>; rel="next"'
    )


def test_one_default_page_size(client, served):
    settings, _, _ = served
    default = settings.api.max_page_size
    for url in ("/v1/kommuner", "/v1/kommuner/2081/emissions", "/v1/datasets"):
        assert client.get(url).json()["limit"] == default, url
    spec = client.get("/openapi.json").json()
    limits = [
        p["schema"]
        for operations in spec["paths"].values()
        for op in operations.values()
        for p in op.get("parameters", [])
        if p["name"] == "limit"
    ]
    assert len(limits) >= 6 and all(s["default"] == default == s["maximum"] for s in limits)


def test_lan_kod_20_gives_dalarnas_15_kommuner(client, serving_con):
    answer = client.get("/v1/kommuner", params={"lan_kod": "20"}).json()
    want = serving_con.execute(
        "select kommun_kod from marts.dim_kommun where lan_kod = '20' order by 1"
    ).fetchall()
    assert answer["total"] == 15 == len(want) == len(answer["items"])
    assert [k["kommun_kod"] for k in answer["items"]] == [k for (k,) in want]
    assert {k["lan_namn"] for k in answer["items"]} == {"Dalarnas län"}
    assert "2081" in {k["kommun_kod"] for k in answer["items"]}
    unknown = client.get("/v1/kommuner", params={"lan_kod": "99"})
    assert unknown.status_code == 422 and "20" in unknown.json()["allowed"]


def test_emissions_filters_year_sector_and_vintage(client, serving_con):
    one_year = client.get("/v1/kommuner/2081/emissions", params={"year": 2022}).json()["items"]
    ranged = client.get(
        "/v1/kommuner/2081/emissions", params={"from_year": 2022, "to_year": 2022}
    ).json()["items"]
    assert one_year == ranged and {i["year"] for i in one_year} == {2022}
    want = scalar(
        serving_con,
        """select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081' and gas = 'CO2e'
           and year = 2022 and in_latest_release""",
    )
    assert sum(i["tonnes"] for i in one_year) == pytest.approx(want)
    both = client.get("/v1/kommuner/2081/emissions", params={"year": 2022, "to_year": 2023})
    assert both.status_code == 422 and both.json()["parameter"] == "year"
    sector = client.get(
        "/v1/kommuner/2081/emissions", params={"year": 2022, "sector": "transport"}
    ).json()["items"]
    assert [i["sector_code"] for i in sector] == ["transport"]
    vintages = serving_con.execute(
        "select distinct vintage from marts.fct_emissions order by 1"
    ).fetchall()
    for (vintage,) in vintages:
        items = client.get(
            "/v1/kommuner/2081/emissions", params={"vintage": vintage.isoformat(), "gas": "CO2"}
        ).json()["items"]
        total = scalar(
            serving_con,
            """select coalesce(sum(tonnes), 0) from marts.fct_emissions where kommun_kod = '2081'
               and gas = 'CO2' and vintage = ?""",
            [vintage],
        )
        assert {i["vintage"] for i in items} <= {vintage.isoformat()}
        assert sum(i["tonnes"] for i in items) == pytest.approx(total)
    unknown = client.get("/v1/kommuner/2081/emissions", params={"vintage": "1999-01-01"})
    assert unknown.status_code == 422 and unknown.json()["parameter"] == "vintage"
    assert unknown.json()["allowed"] == [v.isoformat() for (v,) in vintages]


OBSERVED = [
    ("/v1/health", "/v1/health", 200),
    ("/v1/health?x=1", "/v1/health", 400),
    ("/v1/kommuner", "/v1/kommuner", 200),
    ("/v1/kommuner?x=1", "/v1/kommuner", 400),
    ("/v1/kommuner?limit=0", "/v1/kommuner", 422),
    ("/v1/kommuner/2081", "/v1/kommuner/{kommun_kod}", 200),
    ("/v1/kommuner/9999", "/v1/kommuner/{kommun_kod}", 404),
    ("/v1/kommuner/99", "/v1/kommuner/{kommun_kod}", 422),
    ("/v1/kommuner/2081?x=1", "/v1/kommuner/{kommun_kod}", 400),
    ("/v1/kommuner/2081/emissions", "/v1/kommuner/{kommun_kod}/emissions", 200),
    ("/v1/kommuner/9999/emissions", "/v1/kommuner/{kommun_kod}/emissions", 404),
    ("/v1/kommuner/2081/emissions?gas=x", "/v1/kommuner/{kommun_kod}/emissions", 422),
    ("/v1/kommuner/2081/emissions?x=1", "/v1/kommuner/{kommun_kod}/emissions", 400),
    ("/v1/kommuner/2081/trajectory", "/v1/kommuner/{kommun_kod}/trajectory", 200),
    ("/v1/kommuner/9999/trajectory", "/v1/kommuner/{kommun_kod}/trajectory", 404),
    ("/v1/kommuner/2081/trajectory?method=x", "/v1/kommuner/{kommun_kod}/trajectory", 422),
    ("/v1/kommuner/2081/trajectory?x=1", "/v1/kommuner/{kommun_kod}/trajectory", 400),
    ("/v1/datasets", "/v1/datasets", 200),
    ("/v1/datasets?limit=0", "/v1/datasets", 422),
    ("/v1/datasets?x=1", "/v1/datasets", 400),
    ("/v1/datasets/dim_kommun.csv", "/v1/datasets/{name}.{extension}", 200),
    ("/v1/datasets/nothing.csv", "/v1/datasets/{name}.{extension}", 404),
    ("/v1/datasets/dim_kommun.exe", "/v1/datasets/{name}.{extension}", 422),
]


def test_the_openapi_document_validates_and_documents_every_status_observed(client, tmp_path):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    problem = spec["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "parameter"} <= set(problem["properties"])
    for url, route, status in OBSERVED:
        answer = client.get(url)
        assert answer.status_code == status, url
        documented = spec["paths"][route]["get"]["responses"]
        assert str(status) in documented, (route, status)
        if status != 200:
            assert "application/problem+json" in documented[str(status)]["content"]
        conditional = client.get(url, headers={"If-None-Match": answer.headers.get("etag", "*")})
        assert str(conditional.status_code) in documented, (url, conditional.status_code)
    app = create_app(Settings.from_env({"SERVING_DIR": str(tmp_path / "empty")}))
    with TestClient(app) as empty:
        assert empty.get("/v1/kommuner").status_code == 503
    for route, operations in spec["paths"].items():
        responses = operations["get"]["responses"]
        assert {"200", "304", "500", "503"} <= set(responses), route
        assert "head" in operations, route
        ok = responses["200"]["content"]
        assert all(
            "schema" in media and (media["schema"].get("$ref") or media["schema"].get("type"))
            for media in ok.values()
        ), route
    downloads_ = spec["paths"]["/v1/datasets/{name}.{extension}"]["get"]["responses"]["200"]
    assert set(downloads_["content"]) == set(downloads.MEDIA_TYPES.values())
    assert set(spec["paths"]["/v1/kommuner"]["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
    }
    examples = [s for s in spec["components"]["schemas"].values() if s.get("examples")]
    assert len(examples) >= 6
    page = client.get("/docs").text
    assert "Example" in page and "application/problem+json" in page and "2081" in page


@pytest.mark.parametrize(
    "url",
    [
        "/v1/health",
        "/v1/kommuner?lan_kod=20&limit=5",
        "/v1/kommuner/2081",
        "/v1/kommuner/2081/emissions?format=csv",
        "/v1/kommuner/2081/trajectory",
        "/v1/datasets",
        "/v1/datasets/dim_kommun.xlsx",
        "/v1/datasets/fct_emissions.csv",
        "/v1/kommuner/9999",
        "/v1/kommuner?x=1",
    ],
)
def test_head_answers_the_get_headers_without_a_body(client, url):
    for encoding in ("identity", "gzip"):
        get = client.get(url, headers={"Accept-Encoding": encoding})
        head = client.head(url, headers={"Accept-Encoding": encoding})
        assert head.status_code == get.status_code and head.content == b""
        assert dict(head.headers) == dict(get.headers), url


def test_the_docs_page_fits_a_phone(client):
    """No browser here: the page's own rules that keep it within 375 px. Wide content (tables,
    code, paths) scrolls inside its own box or wraps; nothing sets a width in pixels."""
    page = client.get("/docs").text
    assert "width=device-width" in page
    assert page.count("<table") == page.count("<div class='scroll'><table")
    assert ".scroll{overflow-x:auto" in page and "overflow-wrap:anywhere" in page
    import re

    assert not re.search(r"(?<!max-)width:\s*\d{3,}px", page)


def test_an_answer_is_rendered_once_per_build(served, monkeypatch):
    """The second request for a URL is a lookup: it answers the same bytes with the SQL gone;
    another URL still reaches the database."""
    from pipelines.api import queries

    settings, _, _ = served
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as fresh:
        first = fresh.get("/v1/kommuner/2080")
        monkeypatch.setattr(queries, "KOMMUN_SQL", "select * from marts.no_such_table")
        again = fresh.get("/v1/kommuner/2080")
        other = fresh.get("/v1/kommuner/2062")
    app.state.builds.close()
    assert first.status_code == again.status_code == 200 and again.content == first.content
    assert other.status_code == 500
    assert len(app.state.answers) >= 1 and app.state.answers.used <= app.state.answers.max_bytes


def test_the_render_cache_is_bounded_and_holds_one_build():
    from pipelines.api.render_cache import Entry as CacheEntry
    from pipelines.api.render_cache import RenderCache

    def entry(body: bytes) -> CacheEntry:
        return CacheEntry(200, [], body, b'"etag"', [])

    cache = RenderCache(max_bytes=100_000)
    for n in range(100):
        cache.put("b1", (f"/{n}", b"", False), entry(b"x" * 5000))
        assert cache.used <= 100_000
    assert cache.get("b1", ("/99", b"", False)) is not None
    assert cache.get("b1", ("/0", b"", False)) is None  # the least recently used went first
    cache.put("b1", ("/big", b"", False), entry(b"x" * 60_000))
    assert cache.get("b1", ("/big", b"", False)) is None  # more than a quarter: not kept
    cache.put("b2", ("/1", b"", False), entry(b"y"))
    assert len(cache) == 1 and cache.get("b1", ("/99", b"", False)) is None


def test_a_page_elsewhere_may_revalidate_with_the_etag(client):
    preflight = client.options(
        "/v1/kommuner",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["access-control-allow-origin"] == "*"
