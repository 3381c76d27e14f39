"""Dagster resources: the settings themselves, and thin configurable wrappers around the plain
clients in `sources/`, all built from one Settings (`resources_for`)."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import Settings
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


def resources_for(settings: Settings) -> dict[str, object]:
    """Every resource but dbt's (the transform domain adds that one)."""
    return {
        # Assets, sensors and checks take `settings: dg.ResourceParam[Settings]`; nothing reads the environment.
        "settings": dg.ResourceDefinition.hardcoded_resource(settings, "Settings, read once at load"),
        "smhi": SmhiResource(base_url=settings.smhi_base_url, max_attempts=settings.http_max_attempts,
                             backoff_base_s=settings.http_backoff_base_s),
        "scb": ScbResource(base_url=settings.scb_base_url, max_attempts=settings.http_max_attempts,
                           backoff_base_s=settings.http_backoff_base_s),
    }
