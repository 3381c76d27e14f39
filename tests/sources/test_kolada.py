"""Kolada v3: the client against the replay server (paging, chunking, 429, malformed bodies), the
bundled payload's labels, and the reconciliation of its GHG KPIs with the SMHI marts."""

from __future__ import annotations

import copy
import json

import pytest
import requests

from replay.kolada import KoladaHandler, load_payload
from replay.server import Fault, ReplayServer, Response
from sources.http import HttpClient, RetryPolicy
from sources.kolada import KoladaClient, KoladaResponseError, chunks, region_id


def kolada_client(
    server: ReplayServer, per_page: int = 5000, sleeps: list | None = None
) -> KoladaClient:
    http = HttpClient(
        f"{server.url}/v3",
        retry=RetryPolicy(max_attempts=3, backoff_base_s=0.01),
        sleep=(sleeps.append if sleeps is not None else (lambda _s: None)),
    )
    return KoladaClient(f"{server.url}/v3", http=http, per_page=per_page)


@pytest.fixture(scope="module")
def payload():
    return load_payload()


def by_hand(payload: dict, kpis, ids, years) -> list[tuple]:
    return sorted(
        (v["kpi"], v["municipality"], v["period"], v["values"][0]["value"])
        for v in payload["values"]
        if v["kpi"] in kpis and v["municipality"] in ids and v["period"] in years
    )


def data_requests(server: ReplayServer) -> list[tuple[str, int]]:
    return [(path, status) for method, path, status in server.log if path.startswith("/v3/data/")]


def test_paging_follows_next_url_to_the_last_page(payload):
    kpis, ids, years = (
        ["N07702", "N85536"],
        ["2081", "0020", "0000"],
        [2020, 2021, 2022, 2023, 2024],
    )
    expected = by_hand(payload, kpis, ids, years)
    assert len(expected) == 30
    with ReplayServer([KoladaHandler(payload)]) as server:
        fetched = kolada_client(server, per_page=7).fetch(kpis, ids, years)
        requests_made = data_requests(server)
    assert len(requests_made) == 5  # 7 + 7 + 7 + 7 + 2
    assert [s for _, s in requests_made] == [200] * 5
    assert "page=5" in requests_made[-1][0]
    assert sorted((v.kpi, v.municipality, v.year, v.value) for v in fetched.values) == expected
    assert len(fetched.pages) == 5 and all(len(p.sha256) == 64 for p in fetched.pages)
    # Borlänge 2024, derived from SMHI's 2026-06-25 release: 423 796 t (423 795.822 rounded)
    (borlange,) = [
        v for v in fetched.values if (v.kpi, v.municipality, v.year) == ("N07702", "2081", 2024)
    ]
    assert borlange.value == 423796.0 and borlange.note.startswith("DERIVED")


def test_more_than_25_ids_are_chunked_and_the_server_refuses_26():
    ids = [f"{1000 + i}" for i in range(30)]
    fake = {
        "values": [
            {
                "kpi": "N07702",
                "municipality": m,
                "period": 2024,
                "values": [{"gender": "T", "count": 1, "status": "", "value": float(i)}],
            }
            for i, m in enumerate(ids)
        ]
    }
    assert [len(c) for c in chunks(ids)] == [25, 5]
    with ReplayServer([KoladaHandler(fake)]) as server:
        fetched = kolada_client(server).fetch(["N07702"], ids, [2024])
        made = data_requests(server)
        too_many = requests.get(
            f"{server.url}/v3/data/kpi/N07702/municipality/{','.join(ids[:26])}/year/2024",
            timeout=5,
        )
    assert len(made) == 2
    assert [
        p.count(",") + 1 for p in (m[0].split("/municipality/")[1].split("/")[0] for m in made)
    ] == [25, 5]
    assert sorted(v.value for v in fetched.values) == [float(i) for i in range(30)]
    assert too_many.status_code == 400 and "at most 25" in too_many.json()["error"]
    assert region_id("20") == "0020"


def test_429_with_retry_after_is_waited_out(payload):
    sleeps: list[float] = []
    with ReplayServer([KoladaHandler(payload)]) as server:
        server.add_fault(Fault("/v3/data/", status=429, retry_after="2", times=1))
        fetched = kolada_client(server, sleeps=sleeps).fetch(["N07702"], ["2081"], [2024])
        statuses = [s for _, s in data_requests(server)]
    assert statuses == [429, 200]
    assert sleeps == [2.0]  # Retry-After, not the backoff
    assert [v.value for v in fetched.values] == [423796.0]


@pytest.mark.parametrize(
    "body, field",
    [
        (b"<html>maintenance</html>", "not JSON"),
        (json.dumps({"count": 1, "rows": []}).encode(), "'values' list"),
        (
            json.dumps(
                {
                    "values": [
                        {"kpi": "N07702", "municipality": "2081", "period": "20x4", "values": []}
                    ]
                }
            ).encode(),
            "values[0].period",
        ),
        (
            json.dumps(
                {
                    "values": [
                        {
                            "kpi": "N07702",
                            "municipality": "2081",
                            "period": 2024,
                            "values": [{"gender": "T", "value": "12,5"}],
                        }
                    ]
                }
            ).encode(),
            "values[0].values[0].value",
        ),
        (
            json.dumps(
                {
                    "values": [
                        {
                            "kpi": "N07702",
                            "municipality": "2081",
                            "period": 2024,
                            "values": [{"gender": "X", "value": 1.0}],
                        }
                    ]
                }
            ).encode(),
            "values[0].values[0].gender",
        ),
    ],
)
def test_a_malformed_body_is_an_error_naming_url_and_field(body, field):
    def broken(req):
        return (
            Response(200, {"Content-Type": "application/json"}, body)
            if req.path.startswith("/v3/")
            else None
        )

    with ReplayServer([broken]) as server:
        with pytest.raises(KoladaResponseError) as caught:
            kolada_client(server).fetch(["N07702"], ["2081"], [2024])
    assert field in str(caught.value) and "/v3/data/kpi/N07702/municipality/2081/year/2024" in str(
        caught.value
    )


def test_next_url_may_not_leave_the_server():
    def elsewhere(req):
        if not req.path.startswith("/v3/"):
            return None
        return Response.json(
            {
                "count": 0,
                "values": [],
                "next_url": "https://evil.example/v3/data",
                "previous_url": None,
            }
        )

    with ReplayServer([elsewhere]) as server:
        with pytest.raises(KoladaResponseError, match="leaves"):
            kolada_client(server).fetch(["N07702"], ["2081"], [2024])


def test_payload_labels_every_value_derived_or_synthetic(payload):
    labels = {k: v["label"] for k, v in payload["kpis"].items()}
    for value in payload["values"]:
        assert value["note"].startswith(
            {"derived": "DERIVED", "synthetic": "SYNTHETIC"}[labels[value["kpi"]]]
        )
    assert {k for k, v in labels.items() if v == "derived"} == {
        "N07702",
        "N00401",
        "N85532",
        "N85533",
        "N85534",
        "N85535",
        "N85536",
        "N85537",
        "N85538",
    }


# --------------------------------------------------------------------------- reconciliation


def off_payload(payload: dict, kpi: str, muni: str, year: int, delta: float) -> dict:
    changed = copy.deepcopy(payload)
    for value in changed["values"]:
        if (value["kpi"], value["municipality"], value["period"]) == (kpi, muni, year):
            value["values"][0]["value"] += delta
    return changed


def test_reconciliation_flags_the_one_kpi_that_is_off(payload, demo_con):
    from pipelines.defs.indicators.reconcile import reconcile

    with ReplayServer(
        [KoladaHandler(off_payload(payload, "N85536", "2081", 2023, 1500.0))]
    ) as server:
        fetched = kolada_client(server).fetch(
            sorted(payload["kpis"]),
            ["2081", "2080", "0020", "0000"],
            [2015, 2020, 2021, 2022, 2023, 2024],
        )
    result = reconcile(demo_con, fetched.values)
    # 8 KPIs x 4 areas x 6 years, and N00401 for the 2 kommuner in the 2 years SCB has population
    # for
    assert result.compared == 8 * 4 * 6 + 2 * 2
    assert [(f.kpi, f.kolada_id, f.year) for f in result.mismatches] == [("N85536", "2081", 2023)]
    (off,) = result.mismatches
    # SMHI's El och fjärrvärme for Borlänge 2023 (release 2026-06-25), and Kolada's value 1 500 t
    # above it
    smhi = demo_con.execute("""select tonnes from marts.fct_emissions where kommun_kod = '2081' and
        year = 2023
        and gas = 'CO2e' and huvudsektor = 'El och fjärrvärme'""").fetchone()[0]
    assert off.smhi_t == pytest.approx(smhi) and off.kolada_value == round(smhi) + 1500.0
    assert result.skews == []


def test_reconciliation_warns_on_release_skew(payload, demo_con):
    """Kolada still on the 2025 release for one value: a WARN naming the release it matches."""
    from pipelines.defs.indicators.reconcile import reconcile

    older = demo_con.execute("""select tonnes from raw.smhi_emissions_ggt where level = 'kommun'
        and kommun_kod = '2081' and year = 2023 and huvudsektor_raw = 'Transporter' and
            undersektor_raw = 'Alla'
        and vintage = date '2026-04-23'""").fetchone()[0]
    newer = demo_con.execute("""select tonnes from marts.fct_emissions where kommun_kod = '2081' and
        year = 2023
        and gas = 'CO2e' and huvudsektor = 'Transporter'""").fetchone()[0]
    assert abs(older - newer) > 1
    changed = off_payload(payload, "N85533", "2081", 2023, round(older) - round(newer))
    with ReplayServer([KoladaHandler(changed)]) as server:
        fetched = kolada_client(server).fetch(["N85533"], ["2081"], [2023])
    result = reconcile(demo_con, fetched.values)
    assert result.mismatches == []
    assert [(s.kpi, s.kolada_id, s.year, s.matches_vintage) for s in result.skews] == [
        ("N85533", "2081", 2023, "2026-04-23")
    ]
    assert "2026-04-23" in result.summary() and "2026-06-25" in result.summary()


def test_payload_rebuilds_byte_for_byte():
    from replay import build_kolada_payloads
    from replay.kolada import PAYLOAD_FILE

    text = (
        json.dumps(build_kolada_payloads.build(), ensure_ascii=False, indent=1, sort_keys=True)
        + "\n"
    )
    assert text == PAYLOAD_FILE.read_text(encoding="utf-8")


def test_ingestion_lands_every_page_and_is_idempotent(payload, tmp_path):
    import duckdb

    from pipelines.defs.indicators.loads import kolada_kpis, load_kolada
    from pipelines.lib.warehouse import Store

    store = Store(tmp_path / "w.duckdb", tmp_path / "landing")
    with ReplayServer([KoladaHandler(payload)]) as server:
        first = load_kolada(kolada_client(server, per_page=50), store, "2081")
        again = load_kolada(kolada_client(server, per_page=50), store, "2081")
    assert first.ids == ["2081", "0020", "0000"] and len(first.kpis) == 14 == len(kolada_kpis())
    expected = [
        v
        for v in payload["values"]
        if v["municipality"] in first.ids and v["period"] in first.years
    ]
    assert first.rows_inserted == len(expected) and first.pages == -(-len(expected) // 50)
    assert (again.pages_loaded, again.rows_inserted) == (
        0,
        0,
    )  # the same pages: nothing loaded twice
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        flags = con.execute(
            "select kpi, bool_and(is_synthetic), bool_and(is_derived), count(distinct file_sha256)"
            " from raw.kolada_kpi_values group by kpi"
        ).fetchall()
        landed = con.execute(
            "select count(*) from raw.landed_files where source = 'kolada'"
        ).fetchone()[0]
    labels = {k: v["label"] for k, v in payload["kpis"].items()}
    assert {k: (s, d) for k, s, d, _ in flags} == {
        k: (lbl == "synthetic", lbl == "derived") for k, lbl in labels.items()
    }
    assert landed == first.pages
