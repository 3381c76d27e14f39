"""A threaded HTTP server with pluggable protocol handlers and fault injection.

Faults are what the live services do on a bad day: 429 with Retry-After, 5xx,
slow answers and bodies cut short. Tests add them in-process
(`server.add_fault(...)`); another process can POST them to `/__replay/faults`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A query parameter, matched case-insensitively as ASP.NET does."""
        for key, values in self.query.items():
            if key.lower() == name.lower():
                return values[-1]
        return default


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(
        cls,
        payload,
        status: int = 200,
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> Response:
        return cls(
            status,
            {"Content-Type": content_type, **(headers or {})},
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        )

    @classmethod
    def text(cls, text: str, status: int, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status,
            {"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
            text.encode("utf-8"),
        )


@dataclass
class Fault:
    """Applies to the next `times` requests whose path starts with `path_prefix`."""

    path_prefix: str
    status: int | None = None  # answer with this status instead of the real handler
    retry_after: str | None = None  # Retry-After header value, with status
    delay_s: float = 0.0  # sleep before answering (a slow server)
    truncate_to: int | None = None  # send only this many body bytes, announce the full length
    body: str = "fault injected by replay server"
    times: int = 1

    @classmethod
    def from_dict(cls, data: dict) -> Fault:
        return cls(**data)


Handler = Callable[[Request], Response | None]


class ReplayServer:
    """Serve one or more protocol handlers on loopback.

    A handler gets every request and returns a Response, or None when the path is
    not its own. Unclaimed paths get 404.
    """

    def __init__(self, handlers: list[Handler], host: str = "127.0.0.1", port: int = 0):
        self.handlers = list(handlers)
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path?query, status)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), self._make_handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replay-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def count(self, path_prefix: str) -> int:
        return sum(1 for _, p, _ in self.log if p.startswith(path_prefix))

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path_prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _dispatch(self, req: Request) -> tuple[Response, Fault | None]:
        if req.path == "/__replay/faults" and req.method == "POST":
            self.add_fault(Fault.from_dict(json.loads(req.body or b"{}")))
            return Response.json({"ok": True}), None
        if req.path == "/__replay/faults" and req.method == "DELETE":
            self.clear_faults()
            return Response.json({"ok": True}), None
        fault = self._take_fault(req.path)
        if fault is not None and fault.delay_s:
            time.sleep(fault.delay_s)
        if fault is not None and fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return Response.text(fault.body, fault.status, headers), fault
        for handler in self.handlers:
            resp = handler(req)
            if resp is not None:
                return resp, fault
        return Response.json({"type": "Not found", "title": "Not found", "status": 404}, 404), fault

    def _make_handler(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k: v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                resp, fault = server._dispatch(req)
                with server._lock:
                    server.log.append((req.method, self.path, resp.status))
                body = resp.body
                self.send_response(resp.status)
                for key, value in resp.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                if fault is not None and fault.truncate_to is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: fault.truncate_to])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _serve

        return _Handler
