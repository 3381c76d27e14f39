"""The Dagster UI, used as a person would: `make ui` (dagster dev + the replay server) on
loopback, driven in headless Chromium through Playwright. Screenshots go to test-artifacts/ui/.

Skipped with a message where Debian's chromium is missing; .ci/run installs it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT
from tests.helpers import alive, descendants, wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "ui"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
GROUPS = ["ingestion", "reference", "staging", "intermediate", "marts", "serving", "reports"]

NO_CHROMIUM = "no chromium: apt-get install chromium (.ci/run does) to run the UI test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def ui_process(tmp_path_factory):
    """`borlange ui` on a free loopback port with its own DAGSTER_HOME and warehouse."""
    root = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(root / "dagster_home"),
        "INBOX_DIR": str(root / "inbox"),
        "WAREHOUSE_PATH": str(root / "warehouse" / "borlange.duckdb"),
        "TRAJECTORY_AS_OF_YEAR": "2026",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "ui", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=open(root / "ui.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def ready():
        try:
            return urllib.request.urlopen(f"{base}/server_info", timeout=2).status == 200
        except OSError:
            assert server.poll() is None, (root / "ui.log").read_text()[-3000:]
            return False

    try:
        wait_until(ready, 180, "the Dagster webserver")
        yield server, base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)


@pytest.fixture(scope="module")
def dagster_ui(ui_process):
    return ui_process[1]


@pytest.fixture(scope="module")
def page(dagster_ui):
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    del dagster_ui  # asked for so that the server is up first

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        yield page
        browser.close()


def skip_first_visit_dialog(page) -> None:
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def test_the_asset_graph_shows_every_group(dagster_ui, page):
    page.goto(f"{dagster_ui}/asset-groups")
    page.wait_for_timeout(4000)
    skip_first_visit_dialog(page)
    for group in GROUPS:
        page.get_by_text(group, exact=True).first.wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "asset_graph.png")


def test_materialize_all_succeeds_and_the_trajectory_chart_is_in_its_metadata(dagster_ui, page):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # The job's page, not the whole graph's: the whole graph holds the meter month partitions, for
    # which "Materialize all" opens the backfill dialog (docs/operators.md).
    page.goto(f"{dagster_ui}/locations/borlange_warehouse/jobs/warehouse_refresh")
    page.wait_for_timeout(3000)
    skip_first_visit_dialog(page)
    page.get_by_role("button", name="Materialize all").first.click()
    # On a fresh instance Dagster asks first: the meter month partitions upstream of the meter marts
    # have never been materialized (the marts are then empty; docs/operators.md).
    confirm = page.get_by_role("button", name="Confirm")
    try:
        confirm.wait_for(timeout=10_000)
        page.screenshot(path=ARTIFACTS / "materialize_confirm.png")
        confirm.click()
    except PlaywrightTimeout:  # no dialog: the run is launched already
        pass

    def newest_run():
        runs = graphql(
            dagster_ui, "{ runsOrError(limit: 1) { ... on Runs { results { runId status } } } }"
        )
        results = runs["data"]["runsOrError"]["results"]
        return (
            results[0]
            if results and results[0]["status"] in ("SUCCESS", "FAILURE", "CANCELED")
            else None
        )

    # The whole job in the UI under a loaded pytest took 6 min 10 s from launch (fresh clone,
    # 2 cores): the bound leaves room; it is no timing assertion.
    run = wait_until(newest_run, 900, "the materialization launched from the UI")
    page.goto(f"{dagster_ui}/runs/{run['runId']}")
    page.wait_for_timeout(3000)
    page.screenshot(path=ARTIFACTS / "run.png")
    assert run["status"] == "SUCCESS"

    page.goto(
        f"{dagster_ui}/assets/trajectory/summary"
    )  # the polars asset; dbt publishes marts.trajectory
    page.get_by_text("[Show Markdown]").first.wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "trajectory_asset.png", full_page=True)
    page.get_by_text("[Show Markdown]").first.click()
    charts = page.locator("img[src^='data:image/png']")
    charts.first.wait_for(timeout=30_000)
    assert charts.count() >= 3  # one per national method, at least
    assert all(charts.nth(i).evaluate("img => img.naturalWidth") > 0 for i in range(charts.count()))
    page.screenshot(path=ARTIFACTS / "trajectory_charts.png")

    # The yearly report is linked from its asset's metadata.
    page.goto(f"{dagster_ui}/assets/reports/klimatkontrakt_uppfoljning")
    page.get_by_text("klimatrapport_2081_2024.html").first.wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "report_asset.png", full_page=True)


def asset_page_shows(dagster_ui, page, key: str, *texts: str) -> str:
    """The asset's overview page as a person reads it, once every one of `texts` is shown."""
    page.goto(f"{dagster_ui}/assets/{key}")
    for text in texts:
        page.get_by_text(text).first.wait_for(timeout=30_000)
    skip_first_visit_dialog(page)
    page.screenshot(path=ARTIFACTS / f"{key.replace('/', '__')}.png", full_page=True)
    return page.inner_text("body")


def test_asset_pages_show_the_automation_conditions_and_freshness_policies(dagster_ui, page):
    smhi = asset_page_shows(
        dagster_ui,
        page,
        "raw/smhi_emissions_ggt",
        "on_cron(0 6 20 6 *, Europe/Stockholm)",
        "Deadline: At 06:00 AM GMT+1, on day 1 of the month, only in July",
    )
    assert "statistics_automation" in smhi  # the sensor that evaluates it

    energy = asset_page_shows(
        dagster_ui,
        page,
        "raw/energy_reports",
        "Warns if more than a month since last materialization",
        "Fails if more than 2 months since last materialization",
    )
    assert "energy_inbox_sensor" in energy  # loaded by its sensor, no automation condition
    assert "Automation condition" not in energy

    asset_page_shows(
        dagster_ui, page, "serving/published_marts", "eager, once upstream blocking checks pass"
    )


def test_sigterm_to_borlange_ui_stops_the_webserver_the_daemon_and_the_code_server(ui_process):
    """Last in this module: it stops the UI the other tests use."""
    server, base = ui_process
    children = descendants(server.pid)
    assert len(children) >= 3, children  # dagster dev, its webserver and its daemon at least
    server.send_signal(15)  # to `borlange ui` alone, as a service manager or `kill` does
    assert server.wait(timeout=90) == 0
    wait_until(lambda: not any(alive(p) for p in children), 30, "every child to stop")
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/server_info", timeout=2)
