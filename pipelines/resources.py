"""Dagster resources: the settings themselves, and thin configurable wrappers around the plain
clients in `sources/`, all built from one Settings (`resources_for`)."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import Settings
from sources.http import DEFAULT_DEADLINE_S, DEFAULT_MAX_BODY_BYTES, HttpClient, RetryPolicy
from sources.kolada import KoladaClient
from sources.scb import PxWebClient
from sources.smhi import SmhiClient


class HttpSourceResource(dg.ConfigurableResource):
    """Base URL, retry policy and limits of an HTTP source; subclasses build their client on it.
    `allow_insecure_http` is replay mode (Settings.allow_http_sources): plain http:// to a host
    that is not loopback; loopback http:// (the replay servers) is always allowed."""

    base_url: str
    read_timeout_s: float = 60.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    deadline_s: float = DEFAULT_DEADLINE_S
    allow_insecure_http: bool = False

    def http(self, log=None) -> HttpClient:
        return HttpClient(
            self.base_url,
            timeout=(10.0, self.read_timeout_s),
            retry=RetryPolicy(max_attempts=self.max_attempts, backoff_base_s=self.backoff_base_s),
            log=log,
            max_body_bytes=self.max_body_bytes,
            deadline_s=self.deadline_s,
            allow_insecure_http=self.allow_insecure_http,
        )


class SmhiResource(HttpSourceResource):
    """SMHI Nationella emissionsdatabasen (Excel export API)."""

    read_timeout_s: float = 180.0  # the whole-country export is generated on request

    def client(self, log=None) -> SmhiClient:
        return SmhiClient(self.base_url, http=self.http(log))


class ScbResource(HttpSourceResource):
    """SCB Statistikdatabasen, PxWebApi 2.0. Limits are read from its /config at run time."""

    def client(self, log=None) -> PxWebClient:
        return PxWebClient(self.base_url, http=self.http(log))


class KoladaResource(HttpSourceResource):
    """Kolada v3 (RKA): KPI values per kommun, region and year."""

    def client(self, log=None) -> KoladaClient:
        return KoladaClient(self.base_url, http=self.http(log))


def http_limits(settings: Settings) -> dict[str, object]:
    """What every HTTP source takes from the settings."""
    return {
        "max_attempts": settings.http_max_attempts,
        "backoff_base_s": settings.http_backoff_base_s,
        "max_body_bytes": settings.http_max_body_bytes,
        "deadline_s": settings.http_deadline_s,
        "allow_insecure_http": settings.allow_http_sources,
    }


def resources_for(settings: Settings) -> dict[str, object]:
    """Every resource but dbt's (the transform domain adds that one)."""
    return {
        # Assets, sensors and checks take `settings: dg.ResourceParam[Settings]`; nothing reads the environment.
        "settings": dg.ResourceDefinition.hardcoded_resource(
            settings, "Settings, read once at load"
        ),
        "smhi": SmhiResource(base_url=settings.smhi_base_url, **http_limits(settings)),
        "scb": ScbResource(base_url=settings.scb_base_url, **http_limits(settings)),
        "kolada": KoladaResource(base_url=settings.kolada_base_url, **http_limits(settings)),
    }
