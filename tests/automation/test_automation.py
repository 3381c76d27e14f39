"""Declarative Automation and alerts: a failed blocking check holds back what depends on it across
ticks, and every failed run is told once, in the log and to a local webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from pipelines.defs.automation.assets import EAGER
from pipelines.defs.operations.assets import run_failure_alert
from pipelines.resources import AlertResource
from pipelines.settings import Settings, SettingsError

# ---------------------------------------------------------------- blocking checks hold back eager


def graph_with_a_blocking_check(check_passes: dict) -> dg.Definitions:
    @dg.asset(check_specs=[dg.AssetCheckSpec("sane", asset="source_table", blocking=True)])
    def source_table():
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(check_name="sane", passed=check_passes["now"])

    @dg.asset(deps=[source_table], automation_condition=EAGER)
    def mart():
        return None

    @dg.asset(deps=[source_table], automation_condition=dg.AutomationCondition.eager())
    def mart_without_the_gate():
        return None

    return dg.Definitions(assets=[source_table, mart, mart_without_the_gate])


def requested(result, name: str) -> int:
    return result.get_num_requested(dg.AssetKey(name))


def test_a_failed_blocking_check_holds_back_the_eager_downstream_until_it_passes():
    check_passes = {"now": True}
    defs = graph_with_a_blocking_check(check_passes)
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.instance_for_test() as instance:
        assert job.execute_in_process(instance=instance).success
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0

        check_passes["now"] = False
        failed = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey("source_table")], raise_on_error=False
        )
        assert not failed.success  # the blocking check failed its step
        held = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        assert requested(held, "mart") == 0
        assert requested(held, "mart_without_the_gate") == 1  # plain eager would have gone on

        check_passes["now"] = True
        job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("source_table")])
        released = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, cursor=held.cursor
        )
        assert requested(released, "mart") == 1


# ---------------------------------------------------------------- run-failure alerts


class Webhook(BaseHTTPRequestHandler):
    posts: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Webhook.posts.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Webhook.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/warehouse", Webhook.posts
    server.shutdown()
    server.server_close()


@dg.asset
def breaks():
    raise ValueError("raw.scb_brp: column 'BRP' is missing\n(second line)")


@dg.asset
def works():
    return None


def tick(instance, url: str, cursor: str | None):
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"alerts": AlertResource(webhook_url=url, timeout_s=5.0)},
    )
    result = run_failure_alert.evaluate_tick(context)
    return result.cursor


def test_every_failed_run_is_posted_once_and_logged_on_one_line(webhook, capfd):
    url, posts = webhook
    failing = dg.define_asset_job("failing_job", selection=[breaks])
    defs = dg.Definitions(assets=[breaks, works], jobs=[failing])
    with dg.instance_for_test() as instance:
        cursor = tick(instance, url, None)  # the first tick starts from now
        runs = [
            defs.resolve_job_def("failing_job").execute_in_process(
                instance=instance, raise_on_error=False
            )
            for _ in range(2)
        ]
        dg.materialize([works], instance=instance)
        capfd.readouterr()
        cursor = tick(instance, url, cursor)
        cursor = tick(instance, url, cursor)  # nothing new: nothing posted again
        log = capfd.readouterr().err

    assert sorted(p["run_id"] for p in posts) == sorted(r.run_id for r in runs)
    assert {p["job"] for p in posts} == {"failing_job"}
    assert all(p["event"] == "run_failure" for p in posts)
    assert all("column 'BRP' is missing" in p["message"] for p in posts)
    lines = [line for line in log.splitlines() if " - ERROR - run failed: " in line]
    assert len(lines) == 2, log
    assert {r.run_id for r in runs} == {
        line.split("job failing_job, run ")[1].split(":")[0] for line in lines
    }
    assert all(
        line.endswith("ValueError: raw.scb_brp: column 'BRP' is missing (second line)")
        for line in lines
    )


def test_an_unreachable_webhook_is_logged_and_the_tick_goes_on(capfd):
    failing = dg.define_asset_job("failing_job", selection=[breaks])
    defs = dg.Definitions(assets=[breaks], jobs=[failing])
    closed = "http://127.0.0.1:9/nothing-listens-here"
    with dg.instance_for_test() as instance:
        cursor = tick(instance, closed, None)
        defs.resolve_job_def("failing_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
        capfd.readouterr()
        assert tick(instance, closed, cursor) != cursor
        log = capfd.readouterr().err
    assert "was not delivered: the webhook could not be reached" in log
    assert closed not in log  # the URL holds the webhook's token


@pytest.mark.parametrize(
    "value",
    [
        "http://hooks.example.org/T000/B000/secret",  # clear text off this machine
        "ftp://127.0.0.1/hook",
        "not a url",
        "https:///no-host",
    ],
)
def test_a_webhook_url_must_be_https_or_loopback_and_is_never_shown(value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"ALERT_WEBHOOK_URL": value})
    (problem,) = refused.value.problems
    assert problem.startswith("ALERT_WEBHOOK_URL must be an https:// URL")
    assert value not in problem


def test_a_webhook_url_over_https_or_to_loopback_is_taken():
    assert (
        Settings.from_env({"ALERT_WEBHOOK_URL": "https://hooks.example.org/x"}).alerts.webhook_url
        == "https://hooks.example.org/x"
    )
    assert Settings.from_env({"ALERT_WEBHOOK_URL": "http://127.0.0.1:8080/h"}).alerts.webhook_url
    assert Settings.from_env({}).alerts.webhook_url is None
