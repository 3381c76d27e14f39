"""A small HTTP layer shared by the source clients.

Timeouts on every call, retries with exponential backoff for 429, 5xx, timeouts,
dropped connections and truncated bodies, `Retry-After` honoured, and an optional
client-side rate limiter whose limits the caller sets from what the API publishes.
When retries run out the error names the URL, the last status and the attempts.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import requests

USER_AGENT = "klimatneutrala-borlange-warehouse/0.1 (+https://klimatneutralaborlange2030.se)"


class SourceHTTPError(RuntimeError):
    """A request that failed for good: not retryable, or out of retries."""

    def __init__(self, message: str, *, url: str, status: int | None = None, attempts: int = 1,
                 body: str = ""):
        super().__init__(message)
        self.url = url
        self.status = status
        self.attempts = attempts
        self.body = body


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
    """`requests` with timeouts, retries, Retry-After and a rate limiter."""

    def __init__(self, base_url: str, *, timeout: tuple[float, float] = (5.0, 60.0),
                 retry: RetryPolicy | None = None, rate_limiter: RateLimiter | None = None,
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.sleep = sleep
        self.log = log or (lambda msg: None)
        self.attempts_log: list[tuple[str, int | None, str]] = []  # (url, status, outcome) per attempt

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, params=None, json=None,
                ok_statuses: tuple[int, ...] = (200,)) -> requests.Response:
        """Send a request; return the response once its status is in `ok_statuses`.

        A non-retryable status outside `ok_statuses` is returned too, so that the caller
        can read an API's problem body (SCB answers 400 with a JSON problem).
        """
        url = self.url(path)
        last_status: int | None = None
        last_reason = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            wait: float | None = None
            try:
                resp = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
                _check_complete(resp)
            except (requests.Timeout, requests.ConnectionError, _TruncatedBody,
                    requests.exceptions.ChunkedEncodingError) as exc:
                last_status, last_reason = None, f"{type(exc).__name__}: {exc}"
                self.attempts_log.append((url, None, last_reason))
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
                        url=url, status=resp.status_code, attempts=attempt, body=resp.text[:500])
            if attempt == self.retry.max_attempts:
                break
            delay = wait if wait is not None else self.retry.backoff(attempt)
            self.log(f"{method} {url} attempt {attempt} failed ({last_reason}); retrying in {delay:.2f} s")
            self.sleep(delay)
        raise SourceHTTPError(
            f"{method} {url} failed after {self.retry.max_attempts} attempts; last error: {last_reason}",
            url=url, status=last_status, attempts=self.retry.max_attempts)


class _TruncatedBody(Exception):
    pass


def _check_complete(resp: requests.Response) -> None:
    """Raise if the body is shorter than the Content-Length the server announced."""
    declared = resp.headers.get("Content-Length")
    if declared is None or resp.headers.get("Content-Encoding"):
        return
    got = len(resp.content)
    if declared.isdigit() and got < int(declared):
        raise _TruncatedBody(f"body truncated: got {got} of {declared} bytes")
