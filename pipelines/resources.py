"""Dagster resources: thin configurable wrappers around the plain clients in `sources/`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.loads import Store
from sources.http import HttpClient, RetryPolicy
from sources.scb import PxWebClient
from sources.smhi import SmhiClient


class HttpSourceResource(dg.ConfigurableResource):
    """Base URL and retry policy of an HTTP source; subclasses build their client on it."""

    base_url: str
    read_timeout_s: float = 60.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0

    def http(self, log=None) -> HttpClient:
        return HttpClient(self.base_url, timeout=(10.0, self.read_timeout_s),
                          retry=RetryPolicy(max_attempts=self.max_attempts, backoff_base_s=self.backoff_base_s),
                          log=log)


class SmhiResource(HttpSourceResource):
    """SMHI Nationella emissionsdatabasen (Excel export API)."""

    read_timeout_s: float = 180.0   # the whole-country export is generated on request

    def client(self, log=None) -> SmhiClient:
        return SmhiClient(self.base_url, http=self.http(log))


class ScbResource(HttpSourceResource):
    """SCB Statistikdatabasen, PxWebApi 2.0. Limits are read from its /config at run time."""

    def client(self, log=None) -> PxWebClient:
        return PxWebClient(self.base_url, http=self.http(log))


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file and the raw landing zone beside it."""

    path: str
    landing_dir: str

    @property
    def store(self) -> Store:
        return Store(Path(self.path), Path(self.landing_dir))
