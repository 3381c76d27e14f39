"""The API's outer ASGI layer: one build per request, answers rendered once per build, and the
headers every answer carries.

- **One build.** A request resolves `serving/current` once (builds.py) and reads that build only;
  every answer names it in `X-Build-Id`.
- **Rendered once.** A 200 answered in one piece is kept in the RenderCache under its build id and
  URL (and whether the client takes gzip); the next request for it is a lookup that never enters
  FastAPI. Downloads stream from the build's files and are not kept.
- **Conditional requests.** The ETag is the build id and a hash of the URL. `If-None-Match` (a
  listed tag, or `*`) answers 304 only where the URL answers 200: never on a 404 or a 422.
- **HEAD** is answered by the GET route, with its headers and without its body.
- **Every answer** is `X-Content-Type-Options: nosniff` and open to any origin (CORS).
"""

from __future__ import annotations

import hashlib
import logging

from pipelines.api.builds import BuildCache, NoBuild
from pipelines.api.problems import NO_BUILD, PROBLEM, problem_body
from pipelines.api.render_cache import Entry, Headers, RenderCache

log = logging.getLogger(__name__)

UNVERSIONED = ("/openapi.json", "/docs")  # the same for every build
NO_CACHE = ("/v1/health",)  # clients ask again each time; the ETag still saves the body
EXPOSED = b"ETag, X-Build-Id, X-Total-Count, Link"
EVERY_ANSWER = (
    (b"x-content-type-options", b"nosniff"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", EXPOSED),
)


def entity_tag(build_id: str, path: str, query: bytes) -> bytes:
    url = path.encode() + (b"?" + query if query else b"")
    return f'"{build_id}-{hashlib.sha256(url).hexdigest()[:16]}"'.encode()


def etag_matches(header: bytes | None, etag: bytes) -> bool:
    if not header:
        return False
    if header.strip() == b"*":
        return True
    return any(tag.strip().removeprefix(b"W/") == etag for tag in header.split(b","))


def replaced(headers: Headers, *pairs: tuple[bytes, bytes]) -> Headers:
    names = {name for name, _ in pairs}
    return [(k, v) for k, v in headers if k.lower() not in names] + list(pairs)


def header(scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


class ServeBuilds:
    def __init__(self, app, builds: BuildCache, cache: RenderCache, max_age_s: int):
        self.app, self.builds, self.cache = app, builds, cache
        self.public = f"public, max-age={max_age_s}".encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in UNVERSIONED:
            dressed_send = cached_publicly(dressed(send, scope), self.public)
            await self.app(inner_scope(scope), receive, dressed_send)
            return
        try:
            build = self.builds.acquire()
        except NoBuild:
            await send_problem(dressed(send, scope), 503, NO_BUILD, scope["path"])
            return
        try:
            if scope["method"] in ("GET", "HEAD"):
                gzip = b"gzip" in (header(scope, b"accept-encoding") or b"")
                key = (scope["path"], scope["query_string"], gzip)
                entry = self.cache.get(build.build_id, key)  # the lookup
                if entry is None:
                    entry = await self.render(scope, receive, send, build, key)
                if entry is not None:
                    await send_entry(send, entry, scope)
            else:  # CORS preflights; anything else is a 405 problem
                stamp = stamped(dressed(send, scope), build.build_id.encode())
                await self.app(inner_scope(scope, build), receive, stamp)
        finally:
            self.builds.release(build)

    async def render(self, scope, receive, send, build, key) -> Entry | None:
        """Run the app. A 200 in one piece comes back as an Entry, kept for the build (nothing
        sent yet); anything else goes to the client as it comes, with the build's headers."""
        etag = entity_tag(build.build_id, scope["path"], scope["query_string"])
        not_modified = etag_matches(header(scope, b"if-none-match"), etag)
        caching = b"no-cache" if scope["path"] in NO_CACHE else self.public
        build_id = build.build_id.encode()
        validators = ((b"etag", etag), (b"cache-control", caching), (b"x-build-id", build_id))
        # A route that streams (a download) may skip reading a body nobody will receive.
        inner = inner_scope(scope, build, head_only=not_modified)
        send = dressed(send, scope)
        start: dict | None = None
        entry: Entry | None = None
        passing = False

        async def capture(message) -> None:
            nonlocal start, entry, passing
            if message["type"] == "http.response.start":
                start = message
                return
            if passing:
                if not (not_modified and start["status"] == 200):
                    await send(message)
                return
            if start["status"] == 200 and not message.get("more_body", False):
                entry = kept_answer(start["headers"], message["body"], validators)
                return
            passing = True
            if start["status"] == 200:  # a stream: the validators, and maybe only a 304
                if not_modified:
                    not_modified_start = {"status": 304, "headers": list(validators)}
                    await send({"type": "http.response.start", **not_modified_start})
                    await send({"type": "http.response.body", "body": b""})
                    return
                start = {**start, "headers": replaced(start["headers"], *validators)}
            else:
                start = {**start, "headers": replaced(start["headers"], validators[-1])}
            await send(start)
            await send(message)

        try:
            await self.app(inner, receive, capture)
        except Exception as exc:  # answered here, so that it carries the headers of every answer
            if start is not None and passing:
                raise
            log.error("unexpected error on %s: %s: %s", scope["path"], type(exc).__name__, exc)
            await send_problem(send, 500, "internal error; it is logged", scope["path"])
            return None
        if entry is not None and not build.retired:
            self.cache.put(build.build_id, key, entry)
        return entry


def kept_answer(headers: Headers, body: bytes, validators) -> Entry:
    """A 200 as it will be sent from the cache: every header set once, Content-Length too."""
    names = {name for name, _ in (*validators, *EVERY_ANSWER)} | {b"content-length", b"vary"}
    headers = [(k, v) for k, v in headers if k.lower() not in names]
    headers += [(b"vary", b"Accept-Encoding"), *validators, *EVERY_ANSWER]
    headers.append((b"content-length", str(len(body)).encode()))
    return Entry(200, headers, body, validators[0][1], [*validators, *EVERY_ANSWER])


def inner_scope(scope, build=None, head_only: bool = False) -> dict:
    """The scope the app sees: HEAD asked as GET (its route answers both), and the build."""
    head = scope["method"] == "HEAD"
    state = {**scope.get("state", {}), "head_only": head_only or head}
    if build is not None:
        state["build"] = build
    return {**scope, "method": "GET" if head else scope["method"], "state": state}


def dressed(send, scope):
    """`send` with the headers of every answer, and without a body for HEAD."""
    send = with_every_header(send)
    return without_body(send) if scope["method"] == "HEAD" else send


async def send_entry(send, entry: Entry, scope) -> None:
    if etag_matches(header(scope, b"if-none-match"), entry.etag):
        await send({"type": "http.response.start", "status": 304, "headers": entry.not_modified})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    body = b"" if scope["method"] == "HEAD" else entry.body
    await send({"type": "http.response.body", "body": body})


async def send_problem(send, status: int, detail: str, path: str) -> None:
    body = problem_body(status, detail, path)
    headers = [
        (b"content-type", PROBLEM.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_every_header(send):
    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": replaced(message["headers"], *EVERY_ANSWER)}
        await send(message)

    return sending


def without_body(send):
    """HEAD: the GET answer's headers (Content-Length included), and no body."""

    async def sending(message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {**message, "body": b""}
        await send(message)

    return sending


def stamped(send, build_id: bytes):
    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            headers = replaced(message["headers"], (b"x-build-id", build_id))
            message = {**message, "headers": headers}
        await send(message)

    return sending


def cached_publicly(send, caching: bytes):
    async def sending(message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = replaced(message["headers"], (b"cache-control", caching))
            message = {**message, "headers": headers}
        await send(message)

    return sending
