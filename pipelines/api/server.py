"""`borlange api` (`make api`): the open-data API under uvicorn on API_HOST:API_PORT.

uvicorn reads request headers without a bound on their size or on the time they take: eight
clients sending 100 MB of headers each took the server to 1 GB, and a client sending one header
line every few seconds held its connection for ever. `guarded_protocol` is uvicorn's httptools
protocol with both bounds: request headers over API_MAX_HEADER_BYTES get a 431, and headers not
complete within API_HEADER_TIMEOUT_S (counted from the connection or the request's first byte) a
408; both answers close the connection.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from pipelines.api.app import create_app
from pipelines.api.problems import PROBLEM, problem_body
from pipelines.settings import ApiSettings, Settings

LINGER_S = 2.0
STATUS_LINES = {
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
}


def guarded_protocol(max_header_bytes: int, header_timeout_s: float) -> type[HttpToolsProtocol]:
    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        in_headers = False
        header_bytes = 0
        header_timer: asyncio.TimerHandle | None = None
        refused = False

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self.arm()  # a connection that sends nothing is as slow as one that sends little

        def connection_lost(self, exc) -> None:
            self.disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self.refused:
                return
            if self.in_headers:  # the chunk a request begins in is not counted: one read at most
                self.header_bytes += len(data)
                if self.header_bytes > max_header_bytes:
                    self.refuse(431, f"request headers over {max_header_bytes} bytes")
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.in_headers, self.header_bytes = True, 0
            self.arm()

        def on_headers_complete(self) -> None:
            self.in_headers = False
            self.disarm()
            super().on_headers_complete()

        def arm(self) -> None:
            if self.header_timer is None:
                self.header_timer = self.loop.call_later(header_timeout_s, self.too_slow)

        def disarm(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def too_slow(self) -> None:
            self.header_timer = None
            if not self.refused and (self.in_headers or self.cycle is None):
                self.refuse(408, f"request headers not received within {header_timeout_s:g} s")

        def refuse(self, status: int, detail: str) -> None:
            self.refused = True
            self.disarm()
            body = problem_body(status, detail)
            head = (
                f"content-type: {PROBLEM}\r\ncontent-length: {len(body)}\r\n"
                "x-content-type-options: nosniff\r\ncache-control: no-store\r\n"
                "connection: close\r\n\r\n"
            )
            if self.transport.is_closing():
                return
            self.transport.write(STATUS_LINES[status] + head.encode() + body)
            # A lingering close: the client still sending reads the answer before the reset that
            # closing on its unread bytes would cause; what it sends meanwhile is dropped.
            self.transport.write_eof()
            self.loop.call_later(LINGER_S, self.transport.close)

    return GuardedHttpToolsProtocol


def config(app, api: ApiSettings, **overrides) -> uvicorn.Config:
    """uvicorn's configuration for the API (and for the bench's floor, on the same server)."""
    options = {
        "host": api.host,
        "port": api.port,
        "log_level": "warning",
        "server_header": False,
        "http": guarded_protocol(api.max_header_bytes, api.header_timeout_s),
        **overrides,
    }
    return uvicorn.Config(app, **options)


def main(settings: Settings) -> int:
    app = create_app(settings)
    api = settings.api
    print(
        f"open-data API on http://{api.host}:{api.port}/docs, serving {settings.serving.dir}",
        flush=True,
    )
    try:
        uvicorn.Server(config(app, api)).run()
    except KeyboardInterrupt:
        pass
    finally:
        app.state.builds.close()
    return 0
