"""SCB PxWebApi 2.0: the JSON-stat decoder, the client and the replay server, end to end."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
import requests

from replay.scb import ScbHandler
from replay.server import Fault, ReplayServer
from sources.http import (
    BodyTooLarge,
    DeadlineExceeded,
    HttpClient,
    InsecureURL,
    RetryPolicy,
    SourceHTTPError,
)
from sources.scb import (
    PxWebClient,
    ScbApiError,
    decode_jsonstat2,
    fetch_population,
    split_selection,
)

TAB638_DATA = "/api/v2/tables/TAB638/data"


class FakeClock:
    """Shared by client and server so that rate limiting is tested without real waiting."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    server: ReplayServer,
    *,
    clock: FakeClock | None = None,
    max_attempts: int = 5,
    timeout: tuple[float, float] = (2.0, 5.0),
) -> PxWebClient:
    clock = clock or FakeClock()
    http = HttpClient(
        server.url,
        timeout=timeout,
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=max_attempts, backoff_base_s=0.01),
    )
    return PxWebClient(server.url + "/api/v2", http, clock=clock)


@pytest.fixture
def server():
    with ReplayServer([ScbHandler()]) as srv:
        yield srv


def statuses(server: ReplayServer) -> list[int]:
    return [status for _, _, status in server.log]


# ---------------------------------------------------------------- decoding


def two_by_three(status) -> dict:
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "source": "SCB",
        "updated": "2026-01-01T00:00:00Z",
        "id": ["Region", "Tid"],
        "size": [2, 3],
        "dimension": {
            "Region": {"category": {"index": {"2081": 0, "2080": 1}}},
            "Tid": {"category": {"index": ["2022", "2023", "2024"]}},
        },
        "extension": {"px": {"tableid": "TEST1"}},
        "value": [1, 2, None, 4, 5, 6],
        "status": status,
    }


@pytest.mark.parametrize("status", [{"2": ".."}, [None, None, "..", None, None, None]])
def test_decode_jsonstat2_row_major_with_status(status):
    frame = decode_jsonstat2(two_by_three(status))
    assert frame.schema == {
        "Region": pl.Utf8,
        "Tid": pl.Utf8,
        "value": pl.Float64,
        "status": pl.Utf8,
    }
    assert frame["Region"].to_list() == ["2081"] * 3 + ["2080"] * 3
    assert frame["Tid"].to_list() == ["2022", "2023", "2024"] * 2
    assert frame["value"].to_list() == [1.0, 2.0, None, 4.0, 5.0, 6.0]
    assert frame["status"].to_list() == [None, None, "..", None, None, None]


def test_decode_jsonstat2_rejects_wrong_value_count():
    payload = two_by_three(None)
    payload["value"] = payload["value"][:5]
    with pytest.raises(ValueError, match="5 cells but size \\[2, 3\\] gives 6"):
        decode_jsonstat2(payload)


def test_split_selection_fits_the_limit():
    selection = {
        "Region": [str(i) for i in range(290)],
        "ContentsCode": ["BE0101N1"],
        "Tid": ["2023", "2024"],
    }
    chunks = split_selection(selection, 100)
    assert all(len(c["Region"]) * len(c["Tid"]) <= 100 for c in chunks)
    assert [r for c in chunks for r in c["Region"]] == selection["Region"]


# ------------------------------------------------------------- population through the replay server


def test_fetch_population_2024_and_2025(server):
    result = fetch_population(make_client(server), [2024, 2025])
    frame = result.frame
    assert frame.schema == {
        "kommun_kod": pl.Utf8,
        "year": pl.Int32,
        "population": pl.Int64,
        "status": pl.Utf8,
        "table_id": pl.Utf8,
        "contents_code": pl.Utf8,
        "updated": pl.Utf8,
    }
    counts = dict(frame.group_by("year").len().iter_rows())
    assert counts == {2024: 290, 2025: 290}
    borlange = {
        row["year"]: row
        for row in frame.filter(pl.col("kommun_kod") == "2081").iter_rows(named=True)
    }
    assert borlange[2024]["population"] == 51_425 and borlange[2024]["table_id"] == "TAB638"
    assert borlange[2024]["contents_code"] == "BE0101N1"
    assert borlange[2025]["population"] == 51_354 and borlange[2025]["table_id"] == "TAB5557"
    assert borlange[2025]["contents_code"] == "000007ME"
    assert frame["status"].null_count() == frame.height
    # Provenance: the raw bytes are exactly what decodes to the frame.
    assert len(result.raw_responses) == 2
    assert json.loads(result.raw_responses[1])["extension"]["px"]["tableid"] == "TAB5557"


def test_small_max_data_cells_splits_without_too_many_cells():
    with ReplayServer([ScbHandler()]) as srv:
        whole = fetch_population(make_client(srv), [2023, 2024, 2025])
    with ReplayServer([ScbHandler(max_data_cells=100)]) as srv:
        split = fetch_population(make_client(srv), [2023, 2024, 2025])
        assert 400 not in statuses(srv)
        data_calls = srv.count("/api/v2/tables/TAB638/data") + srv.count(
            "/api/v2/tables/TAB5557/data"
        )
    assert split.frame.equals(whole.frame)
    assert len(split.raw_responses) == data_calls > 2
    assert all(math.prod(json.loads(raw)["size"]) <= 100 for raw in split.raw_responses)


def test_too_many_cells_answer_halves_and_retries(server):
    body = json.dumps(
        {
            "type": "Parameter error",
            "detail": "Too many cells selected",
            "status": 400,
            "title": "Too many cells selected",
        }
    )
    server.add_fault(Fault(TAB638_DATA, status=400, body=body, times=1))
    result = fetch_population(make_client(server), [2024])
    assert server.count(TAB638_DATA) == 3
    assert result.frame.height == 290
    assert len(result.raw_responses) == 2


# ---------------------------------------------------------------- rate limits


def test_rate_limit_from_config_is_honoured_client_side():
    clock = FakeClock()
    with ReplayServer(
        [ScbHandler(max_data_cells=100, max_calls_per_time_window=3, time_window_s=1, clock=clock)]
    ) as srv:
        client = make_client(srv, clock=clock)
        fetch_population(client, [2024, 2025])
        calls = len(srv.log)
        assert 429 not in statuses(srv)
    assert client.http.rate_limiter.max_calls == 3 and client.http.rate_limiter.window_s == 1
    assert calls == 1 + 2 + 3 + 3  # config, 2 metadata, 290 kommuner in chunks of 100 twice
    assert clock.now >= (calls - 1) // 3  # 3 calls per simulated second
    assert clock.sleeps


def test_server_answers_429_with_retry_after_when_the_quota_is_exceeded():
    clock = FakeClock()
    with ReplayServer(
        [ScbHandler(max_calls_per_time_window=3, time_window_s=10, clock=clock)]
    ) as srv:
        answers = [requests.get(srv.url + "/api/v2/config", timeout=5) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].headers["Retry-After"] == "10"
    assert "quota exceeded" in answers[3].text


def test_429_with_retry_after_is_retried(server):
    server.add_fault(Fault(TAB638_DATA, status=429, retry_after="2", times=1))
    clock = FakeClock()
    result = fetch_population(make_client(server, clock=clock), [2024])
    assert result.frame.height == 290
    assert server.count(TAB638_DATA) == 2
    assert clock.sleeps == [2.0]


# ---------------------------------------------------------------- faults


def test_repeated_500_raises_source_http_error_naming_the_url(server):
    server.add_fault(Fault(TAB638_DATA, status=500, times=100))
    with pytest.raises(
        SourceHTTPError, match=r"POST http://127\.0\.0\.1:\d+/api/v2/tables/TAB638/data "
    ) as err:
        fetch_population(make_client(server, max_attempts=3), [2024])
    assert err.value.url.endswith(TAB638_DATA)
    assert err.value.status == 500 and err.value.attempts == 3
    assert server.count(TAB638_DATA) == 3


def test_slow_response_is_retried_after_the_read_timeout(server):
    server.add_fault(Fault(TAB638_DATA, delay_s=0.6, times=1))
    client = make_client(server, timeout=(2.0, 0.2))
    result = fetch_population(client, [2024])
    assert result.frame.height == 290
    outcomes = [outcome for url, _, outcome in client.http.attempts_log if "/TAB638/data" in url]
    assert outcomes[0].startswith(("ReadTimeout", "ConnectionError")) and outcomes[-1] == "ok"


def test_truncated_body_is_retried(server):
    server.add_fault(Fault(TAB638_DATA, truncate_to=40, times=1))
    client = make_client(server)
    result = fetch_population(client, [2024])
    assert result.frame.height == 290
    assert server.count(TAB638_DATA) == 2
    assert all(json.loads(raw) for raw in result.raw_responses)


# ---------------------------------------------------------------- API errors


def test_unknown_table_raises_scb_api_error(server):
    with pytest.raises(ScbApiError, match="Non-existent table") as err:
        make_client(server).data("TAB999", {"Region": ["2081"], "Tid": ["2024"]})
    assert err.value.status == 404 and "TAB999" in str(err.value)


def test_missing_mandatory_variable_raises_scb_api_error(server):
    selection = {
        "Region": ["2081"],
        "ContentsCode": ["000007ME"],
        "Tid": ["2025"],
    }  # no Civilstand/Alder
    with pytest.raises(ScbApiError, match="Missing selection for mandantory variable") as err:
        make_client(server).data("TAB5557", selection)
    assert err.value.status == 400 and "TAB5557" in str(err.value) and "HTTP 400" in str(err.value)


def test_server_get_form_expressions_and_cell_limit():
    with ReplayServer([ScbHandler(max_data_cells=50)]) as srv:
        base = srv.url + "/api/v2/tables/tab638/data?lang=sv&outputFormat=json-stat2"
        ok = requests.get(
            base + "&valuecodes[region]=2081,[RANGE(2080,2080)]&valueCodes[ContentsCode]=be0101n1"
            "&valueCodes[Tid]=TOP(1)",
            timeout=5,
        ).json()
        too_many = requests.get(
            base + "&valueCodes[Region]=*&valueCodes[ContentsCode]=*&valueCodes[Tid]=*", timeout=5
        )
    assert ok["id"] == ["Region", "Alder", "ContentsCode", "Tid"]
    assert ok["dimension"]["Region"]["category"]["index"] == {"2080": 0, "2081": 1}
    assert ok["dimension"]["Tid"]["category"]["index"] == {"2024": 0}
    assert ok["value"][1] == 51_425
    assert too_many.status_code == 400
    assert too_many.json() == {
        "type": "Parameter error",
        "detail": "Too many cells selected",
        "status": 400,
        "title": "Too many cells selected",
    }


# ---------------------------------------------------------------- limits (sources/http.py)


def limited_client(server: ReplayServer, clock: FakeClock, **limits) -> PxWebClient:
    http = HttpClient(
        server.url,
        timeout=(2.0, 5.0),
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=3, backoff_base_s=0.01),
        **limits,
    )
    return PxWebClient(server.url + "/api/v2", http, clock=clock)


def test_a_data_answer_over_the_body_limit_fails_at_once(server):
    """One year's population of 290 kommuner is 13 228 bytes of JSON-stat: once /config and the
    metadata are read, a 4 kB limit fails the data call on its first attempt, not retried."""
    client = limited_client(server, FakeClock())
    assert fetch_population(client, [2024]).frame.height == 290  # the default limit fits
    client.http.max_body_bytes = 4096
    with pytest.raises(
        BodyTooLarge,
        match=r"POST http://127\.0\.0\.1:\d+/api/v2/tables/TAB638/data.*limit of 4096 bytes",
    ) as info:
        fetch_population(client, [2024])
    assert (
        info.value.url.endswith(TAB638_DATA)
        and info.value.status == 200
        and info.value.attempts == 1
    )
    assert server.count(TAB638_DATA) == 2 and server.count("/api/v2/config") == 1


def test_a_slow_data_answer_past_the_deadline_ends_the_request(server):
    """The server waits 3 s before each answer, inside the 5 s read timeout; a 1 s deadline ends
    the request after one attempt instead of three slow ones."""
    client = limited_client(server, FakeClock(), deadline_s=1.0)
    client.config()
    server.add_fault(Fault(TAB638_DATA, delay_s=3.0, times=3))
    with pytest.raises(
        DeadlineExceeded,
        match=r"TAB638/data: no complete response within the 1 s deadline \(attempt 1\)",
    ):
        fetch_population(client, [2024])
    assert server.count(TAB638_DATA) <= 1


def test_plain_http_to_scb_is_refused():
    with pytest.raises(InsecureURL, match="statistikdatabasen"):
        PxWebClient("http://statistikdatabasen.scb.se/api/v2")
