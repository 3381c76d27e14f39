"""A failed run, told in one log line and posted as a small JSON document to a webhook (plain
Python; the Dagster sensor that calls it is pipelines/defs/operations/assets.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

MAX_MESSAGE_CHARS = 500  # a chat message, not a traceback


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job: str
    message: str
    location: str | None = None

    def line(self) -> str:
        """One line for the log: the job, the run and the first words of the error."""
        return f"run failed: job {self.job}, run {self.run_id}: {self.short_message()}"

    def short_message(self) -> str:
        flat = " ".join(self.message.split())
        if len(flat) <= MAX_MESSAGE_CHARS:
            return flat
        return flat[: MAX_MESSAGE_CHARS - 1] + "…"

    def payload(self) -> dict:
        return {
            "event": "run_failure",
            "text": self.line(),
            **asdict(self),
            "message": self.short_message(),
        }


def post(url: str, failure: RunFailure, *, timeout_s: float) -> str | None:
    """POST the failure as JSON; None when the receiver answered 2xx, else why not (the URL is not
    named: it holds the webhook's token)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(failure.payload(), ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read(1024)
            status = response.status
    except urllib.error.HTTPError as refused:
        return f"the webhook answered HTTP {refused.code}"
    except (urllib.error.URLError, OSError) as unreachable:
        reason = getattr(unreachable, "reason", unreachable)
        return f"the webhook could not be reached ({type(reason).__name__}: {reason})"
    return None if 200 <= status < 300 else f"the webhook answered HTTP {status}"
