"""The replay server with every bundled source, as used by `make demo`, `make ui` and the tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from replay.kolada import KoladaHandler
from replay.scb import ScbHandler
from replay.server import ReplayServer
from replay.smhi import ARCHIVE_PREFIX, SmhiHandler


@dataclass
class OfflineServer:
    server: ReplayServer
    smhi: SmhiHandler
    scb: ScbHandler
    kolada: KoladaHandler

    @property
    def smhi_base_url(self) -> str:
        return self.server.url  # SMHI's API lives at the host root: /api/getexcelfile/

    @property
    def smhi_archive_base_url(self) -> str:
        """The archive of SMHI releases rebuilt offline (replay/smhi.py), same protocol."""
        return f"{self.server.url}{ARCHIVE_PREFIX}"

    @property
    def scb_base_url(self) -> str:
        return f"{self.server.url}/api/v2"

    @property
    def kolada_base_url(self) -> str:
        return f"{self.server.url}/v3"

    def environment(self) -> dict[str, str]:
        """Every source's base-URL variable pointed here: the one list a new source joins."""
        return {
            "SMHI_BASE_URL": self.smhi_base_url,
            "SMHI_ARCHIVE_BASE_URL": self.smhi_archive_base_url,
            "SCB_BASE_URL": self.scb_base_url,
            "KOLADA_BASE_URL": self.kolada_base_url,
        }


def build_offline_server(host: str = "127.0.0.1", port: int = 0) -> OfflineServer:
    smhi, scb, kolada = SmhiHandler(), ScbHandler(), KoladaHandler()
    return OfflineServer(ReplayServer([smhi, scb, kolada], host=host, port=port), smhi, scb, kolada)


@contextlib.contextmanager
def start_offline_server(host: str = "127.0.0.1", port: int = 0) -> Iterator[OfflineServer]:
    offline = build_offline_server(host, port)
    offline.server.start()
    try:
        yield offline
    finally:
        offline.server.stop()
