"""A small HTTP layer shared by the source clients.

Timeouts on every call, retries with exponential backoff for 429, 5xx, timeouts,
dropped connections and truncated bodies, `Retry-After` honoured, and an optional
client-side rate limiter whose limits the caller sets from what the API publishes.
When retries run out the error names the URL, the last status and the attempts.

Limits on what a server can make us do:
- `max_body_bytes`: the body is streamed in chunks and the request fails, not retried, as soon
  as it passes the limit (after decompression, so a gzip bomb stops too), or at once when the
  Content-Length announces more;
- `deadline_s`: one request, with its connect, its reads, its retries and the waits between
  them, ends by this deadline, however slowly a server drips its bytes. Each socket operation
  waits at most the time left; the deadline is checked after every chunk;
- `http://` is refused, so a mistyped base URL cannot send the pipeline's requests (and take its
  answers) in clear text, except to a loopback host (the replay servers of `make demo` and the
  tests) or when the client is explicitly in replay mode (`allow_insecure_http`, set from
  ALLOW_HTTP_SOURCES). Redirects are checked the same way before they are followed.
"""

from __future__ import annotations

import email.utils
import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

# urllib3 comes with requests (its errors surface when a body is streamed); by requests' alias,
# so that the one declared dependency is requests.
from requests.packages.urllib3.exceptions import HTTPError as Urllib3Error

USER_AGENT = "klimatneutrala-borlange-warehouse/0.1 (+https://klimatneutralaborlange2030.se)"

MIB = 1024 * 1024
# SMHI's whole-country export is a few MB (the bundled CO2 workbook: 2.3 MB) and an SCB
# JSON-stat answer of 100 000 cells (maxDataCells) a few MB more: 64 MiB is ten times either.
DEFAULT_MAX_BODY_BYTES = 64 * MIB
# SMHI generates the whole-country export on request (a read may wait 180 s for it): ten minutes
# leave room for that and a retry or two, and still end a request that a server drips out.
DEFAULT_DEADLINE_S = 600.0
CHUNK_BYTES = 64 * 1024


class SourceHTTPError(RuntimeError):
    """A request that failed for good: not retryable, or out of retries."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        attempts: int = 1,
        body: str = "",
    ):
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts
        self.body = body


class BodyTooLarge(SourceHTTPError):
    """The response body passed `max_body_bytes`; retrying would not make it smaller."""


class DeadlineExceeded(SourceHTTPError):
    """No complete response within `deadline_s`, retries included."""


class InsecureURL(SourceHTTPError, ValueError):
    """An `http://` URL to a host that is not loopback, outside replay mode."""


LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves this machine."""
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_source_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """`url` if it may be fetched: https://, or http:// to a loopback host or in replay mode."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InsecureURL(f"{url!r} is not an http(s) URL with a host", url=url)
    if scheme == "http" and not allow_insecure_http and not is_loopback_host(parts.hostname):
        raise InsecureURL(
            f"refusing the plain-http URL {url!r}: the sources are fetched over https:// "
            "(http:// only from a loopback host, or with ALLOW_HTTP_SOURCES=1 for a replay "
            "server elsewhere)",
            url=url,
        )
    return url


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    # A server asking us to wait longer than this is treated as a failure, not slept on.
    max_retry_after_s: float = 120.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        return min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass
class RateLimiter:
    """At most `max_calls` calls in any sliding window of `window_s` seconds."""

    max_calls: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _calls: deque = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acquire(self) -> float:
        """Block until a call is allowed; returns the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self.clock()
                while self._calls and now - self._calls[0] >= self.window_s:
                    self._calls.popleft()
                if len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    return waited
                pause = self.window_s - (now - self._calls[0])
                self.sleep(pause)
                waited += pause


class HttpClient:
    """`requests` with timeouts, retries, Retry-After, a rate limiter, a body limit, a deadline."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        deadline_s: float = DEFAULT_DEADLINE_S,
        allow_insecure_http: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_body_bytes < 1 or not deadline_s > 0:
            raise ValueError(
                f"max_body_bytes ({max_body_bytes}) and deadline_s ({deadline_s}) must be positive"
            )
        self.allow_insecure_http = allow_insecure_http
        self.base_url = check_source_url(base_url, allow_insecure_http=allow_insecure_http).rstrip(
            "/"
        )
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.sleep = sleep
        self.log = log or (lambda _msg: None)
        self.max_body_bytes = max_body_bytes
        self.deadline_s = deadline_s
        self.clock = clock
        self.attempts_log: list[
            tuple[str, int | None, str]
        ] = []  # (url, status, outcome) per attempt

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"

    def check_url(self, url: str) -> str:
        return check_source_url(url, allow_insecure_http=self.allow_insecure_http)

    def request(
        self,
        method: str,
        path: str,
        *,
        params=None,
        json=None,
        ok_statuses: tuple[int, ...] = (200,),
    ) -> requests.Response:
        """Send a request; return the response once its status is in `ok_statuses`.

        A non-retryable status outside `ok_statuses` is returned too, so that the caller
        can read an API's problem body (SCB answers 400 with a JSON problem). The body is
        read in full (up to `max_body_bytes`) before this returns, all by `deadline_s`.
        """
        url = self.check_url(self.url(path))
        deadline = self.clock() + self.deadline_s
        last_status: int | None = None
        last_reason = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            wait: float | None = None
            try:
                resp = self._attempt(method, url, params, json, deadline, attempt)
            except (
                requests.Timeout,
                requests.ConnectionError,
                _TruncatedBody,
                requests.exceptions.ChunkedEncodingError,
                Urllib3Error,
            ) as exc:
                last_status, last_reason = None, f"{type(exc).__name__}: {exc}"
                self.attempts_log.append((url, None, last_reason))
                if self.clock() >= deadline:  # the timeout was the deadline's, not the server's
                    raise self._deadline_error(method, url, attempt) from exc
            else:
                last_status = resp.status_code
                if resp.status_code in ok_statuses:
                    self.attempts_log.append((url, resp.status_code, "ok"))
                    return resp
                if resp.status_code not in self.retry.retry_statuses:
                    self.attempts_log.append((url, resp.status_code, "not retryable"))
                    return resp
                last_reason = f"HTTP {resp.status_code}: {resp.text[:200]!r}"
                self.attempts_log.append((url, resp.status_code, "retry"))
                wait = parse_retry_after(resp.headers.get("Retry-After"))
                if wait is not None and wait > self.retry.max_retry_after_s:
                    raise SourceHTTPError(
                        f"{method} {url}: server asked to retry after {wait:.0f} s, more than the "
                        f"{self.retry.max_retry_after_s:.0f} s this client waits; try again later",
                        url=url,
                        status=resp.status_code,
                        attempts=attempt,
                        body=resp.text[:500],
                    )
            if attempt == self.retry.max_attempts:
                break
            delay = wait if wait is not None else self.retry.backoff(attempt)
            if self.clock() + delay >= deadline:
                raise DeadlineExceeded(
                    f"{method} {url}: attempt {attempt} failed ({last_reason}) and a retry in "
                    f"{delay:.2f} s would pass the {self.deadline_s:g} s deadline of the request",
                    url=url,
                    status=last_status,
                    attempts=attempt,
                )
            self.log(
                f"{method} {url} attempt {attempt} failed ({last_reason}); retrying in "
                f"{delay:.2f} s"
            )
            self.sleep(delay)
        raise SourceHTTPError(
            f"{method} {url} failed after {self.retry.max_attempts} attempts; last error: "
            f"{last_reason}",
            url=url,
            status=last_status,
            attempts=self.retry.max_attempts,
        )

    def _deadline_error(
        self, method: str, url: str, attempt: int, got: int | None = None
    ) -> DeadlineExceeded:
        received = "" if got is None else f", {got} bytes of the body received"
        return DeadlineExceeded(
            f"{method} {url}: no complete response within the {self.deadline_s:g} s deadline "
            f"(attempt {attempt}{received})",
            url=url,
            attempts=attempt,
        )

    def _remaining(
        self, deadline: float, method: str, url: str, attempt: int, got: int | None = None
    ) -> float:
        left = deadline - self.clock()
        if left <= 0:
            raise self._deadline_error(method, url, attempt, got)
        return left

    def _attempt(
        self, method: str, url: str, params, json, deadline: float, attempt: int
    ) -> requests.Response:
        """One request, its body streamed in under the size limit and the deadline."""
        left = self._remaining(deadline, method, url, attempt)
        connect_s, read_s = self.timeout
        resp = self.session.request(
            method,
            url,
            params=params,
            json=json,
            stream=True,
            timeout=(min(connect_s, left), min(read_s, left)),
            hooks={"response": self._refuse_insecure_redirect},
        )
        try:
            declared = resp.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                raise BodyTooLarge(
                    f"{method} {resp.url}: the response announces {int(declared)} bytes, more "
                    f"than the limit of {self.max_body_bytes} bytes (HTTP_MAX_BODY_MB)",
                    url=url,
                    status=resp.status_code,
                    attempts=attempt,
                )
            body = bytearray()
            while True:
                left = self._remaining(deadline, method, url, attempt, len(body))
                try:
                    chunk = self._read_chunk(resp, left)
                except (Urllib3Error, OSError) as exc:
                    if self.clock() >= deadline:  # the socket waited out what was left
                        raise self._deadline_error(method, url, attempt, len(body)) from exc
                    raise
                if not chunk:
                    break
                body += chunk
                if len(body) > self.max_body_bytes:
                    raise BodyTooLarge(
                        f"{method} {resp.url}: the response body passed the limit of "
                        f"{self.max_body_bytes} bytes (HTTP_MAX_BODY_MB); stopped reading",
                        url=url,
                        status=resp.status_code,
                        attempts=attempt,
                    )
        except BaseException:
            resp.close()  # the connection may hold unread bytes: never reuse it
            raise
        resp._content = bytes(body)  # what .content, .text and .json() read from now on
        resp._content_consumed = True
        resp.close()  # read to the end: the connection goes back to the pool
        _check_complete(resp)
        return resp

    @staticmethod
    def _read_chunk(resp: requests.Response, left: float) -> bytes:
        """At most CHUNK_BYTES, as soon as any bytes arrive (read1: one socket read, not a
        wait for a full chunk, so the deadline is checked while a server drips)."""
        raw = resp.raw
        sock = _socket_of(raw)
        if sock is not None:
            sock.settimeout(min(left, sock.gettimeout() or left))
        return raw.read1(CHUNK_BYTES, decode_content=True)

    def _refuse_insecure_redirect(self, resp: requests.Response, *_args, **_kwargs) -> None:
        """A response hook, run on every response before requests follows its redirect."""
        if resp.is_redirect:
            target = urljoin(resp.url, resp.headers.get("Location", ""))
            try:
                self.check_url(target)
            except InsecureURL as refused:
                resp.close()
                raise InsecureURL(
                    f"{resp.request.method} {resp.url} redirects to {target!r}: {refused}",
                    url=target,
                    status=resp.status_code,
                ) from None


def _socket_of(raw) -> object | None:
    """The socket under a streaming urllib3 response, to shorten its timeout to the deadline."""
    fp = getattr(raw, "_fp", None)  # http.client.HTTPResponse
    buffered = getattr(fp, "fp", None)  # its socket file
    sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    return sock if hasattr(sock, "settimeout") else None


class _TruncatedBody(Exception):
    pass


def _check_complete(resp: requests.Response) -> None:
    """Raise if the body is shorter than the Content-Length the server announced."""
    declared = resp.headers.get("Content-Length")
    if declared is None or resp.headers.get("Content-Encoding"):
        return
    got = len(resp.content)  # no Content-Encoding here: the bytes read are the bytes sent
    if declared.isdigit() and got < int(declared):
        raise _TruncatedBody(f"body truncated: got {got} of {declared} bytes")
