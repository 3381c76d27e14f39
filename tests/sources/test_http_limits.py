"""What a server can make the HTTP layer do, bounded: a body past `max_body_bytes` stops the
request at once (not retried; also a chunked body and a gzip bomb), a server that drips its
answer cannot keep a request past `deadline_s` (retries and their waits included), and plain
http:// is refused outside replay mode, redirects included. Against a small local server that
misbehaves on purpose; the SMHI and SCB replay servers are used in test_smhi.py and test_scb.py."""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipelines.resources import resources_for
from pipelines.settings import Settings, SettingsError
from sources.http import (
    MIB,
    BodyTooLarge,
    DeadlineExceeded,
    HttpClient,
    InsecureURL,
    RetryPolicy,
    SourceHTTPError,
    check_source_url,
    is_loopback_host,
)
from sources.scb import PxWebClient
from sources.smhi import SmhiClient

BIG = 2 * MIB
DRIP_BYTES = 1000
BOMB = gzip.compress(b"\0" * (10 * MIB))


class Quiet(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hung up on a body it refused: expected here


class Misbehaving:
    """A loopback server: /ok, /big (announced), /chunked (unannounced), /bomb (gzip), /drip
    (a byte every 50 ms), /busy (503, Retry-After: 2), /to-plain-http (a redirect)."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # body bytes written, per path
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, path: str, data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()
                server.sent[path] += len(data)

            def do_GET(self):
                path = self.path
                server.hits[path] += 1
                try:
                    if path == "/ok":
                        self.send_response(200)
                        self.send_header("Content-Length", "5")
                        self.end_headers()
                        self.send(path, b"hello")
                    elif path == "/big":
                        self.send_response(200)
                        self.send_header("Content-Length", str(BIG))
                        self.end_headers()
                        for _ in range(BIG // 65536):
                            self.send(path, b"x" * 65536)
                    elif path == "/chunked":
                        self.send_response(200)
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for _ in range(BIG // 65536):
                            self.send(path, b"10000\r\n" + b"x" * 65536 + b"\r\n")
                        self.send(path, b"0\r\n\r\n")
                    elif path == "/bomb":
                        self.send_response(200)
                        self.send_header("Content-Encoding", "gzip")
                        self.send_header("Content-Length", str(len(BOMB)))
                        self.end_headers()
                        self.send(path, BOMB)
                    elif path == "/drip":
                        self.send_response(200)
                        self.send_header("Content-Length", str(DRIP_BYTES))
                        self.end_headers()
                        for _ in range(DRIP_BYTES):
                            if server.stop.wait(0.05):
                                return
                            self.send(path, b"x")
                    elif path == "/busy":
                        self.send_response(503)
                        self.send_header("Retry-After", "2")
                        self.send_header("Content-Length", "4")
                        self.end_headers()
                        self.send(path, b"busy")
                    elif path == "/to-plain-http":
                        self.send_response(302)
                        self.send_header("Location", "http://example.invalid/data")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with Misbehaving() as srv:
        yield srv


def misbehaving_client(server: Misbehaving, **kwargs) -> tuple[HttpClient, list[float]]:
    sleeps: list[float] = []
    kwargs.setdefault("retry", RetryPolicy(max_attempts=3, backoff_base_s=0.01))
    return HttpClient(server.url, sleep=sleeps.append, **kwargs), sleeps


# ---------------------------------------------------------------- body size


def test_a_small_body_is_read_whole_and_the_connection_reused(server):
    http, _ = misbehaving_client(server, max_body_bytes=1024)
    first, second = http.request("GET", "/ok"), http.request("GET", "/ok")
    assert first.content == second.content == b"hello" and first.text == "hello"
    assert server.hits["/ok"] == 2


def test_an_announced_body_over_the_limit_is_refused_before_it_is_read(server):
    http, sleeps = misbehaving_client(server, max_body_bytes=MIB)
    with pytest.raises(BodyTooLarge) as info:
        http.request("GET", "/big")
    assert f"{server.url}/big" in str(info.value) and f"announces {BIG} bytes" in str(info.value)
    assert f"limit of {MIB} bytes" in str(info.value)
    assert info.value.status == 200 and info.value.attempts == 1
    assert server.hits["/big"] == 1 and sleeps == []  # not retried


def test_an_unannounced_body_is_cut_off_at_the_limit(server):
    http, sleeps = misbehaving_client(server, max_body_bytes=MIB)
    with pytest.raises(
        BodyTooLarge,
        match=rf"passed the limit of {MIB} bytes \(HTTP_MAX_BODY_MB\); stopped reading",
    ) as info:
        http.request("GET", "/chunked")
    assert info.value.url == f"{server.url}/chunked"
    assert server.hits["/chunked"] == 1 and sleeps == []


def test_a_gzip_bomb_is_measured_after_decompression(server):
    assert len(BOMB) < 64 * 1024  # 10 MiB of zeros, compressed
    http, _ = misbehaving_client(server, max_body_bytes=MIB)
    with pytest.raises(BodyTooLarge, match="passed the limit"):
        http.request("GET", "/bomb")
    assert server.hits["/bomb"] == 1
    assert (
        len(misbehaving_client(server, max_body_bytes=16 * MIB)[0].request("GET", "/bomb").content)
        == 10 * MIB
    )


# ---------------------------------------------------------------- the deadline


def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(server):
    """1000 bytes at 20 bytes a second, every read well inside the 5 s read timeout: only the
    deadline of 0.5 s ends it, on the first attempt, and no retry is tried after it."""
    http, sleeps = misbehaving_client(server, timeout=(5.0, 5.0), deadline_s=0.5)
    with pytest.raises(DeadlineExceeded) as info:
        http.request("GET", "/drip")
    message = str(info.value)
    assert (
        f"{server.url}/drip" in message and "0.5 s deadline" in message and "attempt 1" in message
    )
    received = int(message.split(", ")[-1].split(" bytes")[0])
    assert 0 < received < DRIP_BYTES
    assert server.hits["/drip"] == 1 and sleeps == [] and info.value.attempts == 1
    assert isinstance(info.value, SourceHTTPError)


def test_a_retry_that_would_end_after_the_deadline_is_not_waited_for(server):
    http, sleeps = misbehaving_client(server, deadline_s=1.0)
    with pytest.raises(
        DeadlineExceeded, match=r"retry in 2.00 s would pass the 1 s deadline"
    ) as info:
        http.request("GET", "/busy")
    assert info.value.status == 503 and info.value.attempts == 1
    assert server.hits["/busy"] == 1 and sleeps == []


def test_without_a_deadline_problem_retries_still_happen(server):
    http, sleeps = misbehaving_client(server, deadline_s=600.0)
    with pytest.raises(SourceHTTPError, match="failed after 3 attempts"):
        http.request("GET", "/busy")
    assert server.hits["/busy"] == 3 and sleeps == [2.0, 2.0]


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        HttpClient("https://example.org", max_body_bytes=0)
    with pytest.raises(ValueError):
        HttpClient("https://example.org", deadline_s=float("nan"))


# ---------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "url",
    [
        "http://nationellaemissionsdatabasen.smhi.se",
        "http://statistikdatabasen.scb.se/api/v2",
        "http://127.evil.example",
        "http://10.0.0.1:8765",
        "ftp://example.org",
        "https://",
    ],
)
def test_plain_http_and_other_schemes_are_refused_in_live_mode(url):
    with pytest.raises(InsecureURL):
        HttpClient(url)
    with pytest.raises(InsecureURL):
        check_source_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://localhost:8765/api/v2",
        "http://[::1]:8765",
        "http://127.1.2.3",
        "https://statistikdatabasen.scb.se/api/v2",
    ],
)
def test_https_and_loopback_http_are_allowed(url):
    assert HttpClient(url).base_url == url.rstrip("/")


def test_replay_mode_allows_plain_http_elsewhere():
    assert (
        HttpClient("http://replay.internal:8765", allow_insecure_http=True).base_url
        == "http://replay.internal:8765"
    )
    assert SmhiClient(
        "http://replay.internal:8765",
        HttpClient("http://replay.internal:8765", allow_insecure_http=True),
    ).base_url


def test_the_clients_check_their_own_base_url():
    https = HttpClient("https://example.org")
    with pytest.raises(InsecureURL):
        SmhiClient("http://nationellaemissionsdatabasen.smhi.se", https)
    with pytest.raises(InsecureURL):
        PxWebClient("http://statistikdatabasen.scb.se/api/v2", https)
    with pytest.raises(InsecureURL, match="refusing the plain-http URL"):
        https.request("GET", "http://example.org/absolute")  # refused before any connection


def test_a_redirect_to_plain_http_is_refused_before_it_is_followed(server):
    http, sleeps = misbehaving_client(server)
    with pytest.raises(InsecureURL, match=r"redirects to 'http://example.invalid/data'") as info:
        http.request("GET", "/to-plain-http")
    assert info.value.status == 302 and server.hits["/to-plain-http"] == 1 and sleeps == []


def test_loopback_hosts():
    assert all(
        is_loopback_host(h)
        for h in ["127.0.0.1", "127.255.0.9", "::1", "[::1]", "localhost", "LOCALHOST"]
    )
    assert not any(
        is_loopback_host(h)
        for h in [
            "",
            None,
            "10.0.0.1",
            "127.evil.example",
            "localhost.example.org",
            "::",
            "192.168.1.1",
        ]
    )


# ---------------------------------------------------------------- from the settings to the clients


def test_the_settings_refuse_plain_http_source_urls_outside_replay_mode():
    with pytest.raises(SettingsError) as info:
        Settings.from_env(
            {
                "SMHI_BASE_URL": "http://nationellaemissionsdatabasen.smhi.se",
                "SCB_BASE_URL": "http://statistikdatabasen.scb.se/api/v2",
            }
        )
    assert [p.split(":")[0] for p in info.value.problems] == ["SMHI_BASE_URL", "SCB_BASE_URL"]
    assert (
        Settings.from_env({"SMHI_BASE_URL": "http://127.0.0.1:8765"}).sources.smhi_base_url
        == "http://127.0.0.1:8765"
    )
    replay = Settings.from_env(
        {"SMHI_BASE_URL": "http://replay.internal:8765", "ALLOW_HTTP_SOURCES": "1"}
    )
    assert (
        replay.sources.allow_http is True
        and replay.sources.smhi_base_url == "http://replay.internal:8765"
    )


def test_the_resources_give_the_clients_the_settings_limits():
    settings = Settings.from_env(
        {
            "HTTP_MAX_BODY_MB": "2",
            "HTTP_DEADLINE_S": "30",
            "HTTP_MAX_ATTEMPTS": "4",
            "SCB_BASE_URL": "http://replay.internal:8765/api/v2",
            "ALLOW_HTTP_SOURCES": "true",
        }
    )
    resources = resources_for(settings)
    scb = resources["scb"].client()
    assert scb.base_url == "http://replay.internal:8765/api/v2"
    assert (scb.http.max_body_bytes, scb.http.deadline_s, scb.http.retry.max_attempts) == (
        2 * MIB,
        30.0,
        4,
    )
    assert scb.http.allow_insecure_http is True
    smhi = resources_for(Settings.from_env({}))["smhi"].client()
    assert (smhi.http.max_body_bytes, smhi.http.deadline_s, smhi.http.allow_insecure_http) == (
        64 * MIB,
        600.0,
        False,
    )
    assert smhi.http.timeout == (10.0, 180.0)
