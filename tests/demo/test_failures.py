"""Failure paths through Dagster: retries, then a clear error; a rejected file; re-runs.
Each test compares the warehouse's fingerprint before and after."""

from __future__ import annotations

import io
import shutil

import dagster as dg
import duckdb
import openpyxl
import pytest

from pipelines.defs.emissions.loads import load_smhi_release
from pipelines.lib import warehouse
from pipelines.lib.warehouse import Store
from pipelines.settings import Settings
from replay.server import Fault, ReplayServer
from replay.smhi import PAYLOAD_DIR, SmhiHandler
from sources.smhi import SmhiClient

GGT = dg.AssetKey(["raw", "smhi_emissions_ggt"])
SMHI_PATH = "/api/getexcelfile/"


def run_assets(keys=None) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import build_definitions

    job = build_definitions().resolve_job_def("warehouse_refresh")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=keys, raise_on_error=False
    )


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        e.step_failure_data.error.to_string()
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE
    )


def warehouse_fingerprint() -> dict:
    with duckdb.connect(str(Settings.from_env().warehouse.path), read_only=True) as con:
        return warehouse.fingerprint(con)


@pytest.fixture
def smhi_server(isolated_env, monkeypatch):  # noqa: ARG001 - for its environment variables
    """An SMHI replay server with the previous release already loaded into the warehouse."""
    handler = SmhiHandler()
    with ReplayServer([handler]) as server:
        monkeypatch.setenv("SMHI_BASE_URL", server.url)
        settings = Settings.from_env()
        handler.release = handler.releases()[0]
        load_smhi_release(
            SmhiClient(server.url),
            Store(settings.warehouse.path, settings.warehouse.landing_dir),
            sub="GGT",
            table="smhi_emissions_ggt",
        )
        handler.release = handler.releases()[-1]
        yield server, handler


def test_server_errors_are_retried_then_fail_clearly_and_leave_warehouse_unchanged(smhi_server):
    server, _ = smhi_server
    before, requests_before = warehouse_fingerprint(), server.count(SMHI_PATH)
    server.add_fault(Fault(SMHI_PATH, status=500, times=10))
    result = run_assets([GGT])
    assert not result.success
    text = failure_text(result)
    assert "/api/getexcelfile/" in text and "failed after 3 attempts" in text and "HTTP 500" in text
    assert server.count(SMHI_PATH) - requests_before == 3
    assert warehouse_fingerprint() == before


def test_timeouts_and_truncated_bodies_are_retried_then_fail(smhi_server):
    server, _ = smhi_server
    before, requests_before = warehouse_fingerprint(), server.count(SMHI_PATH)
    server.add_fault(Fault(SMHI_PATH, truncate_to=100, times=10))
    result = run_assets([GGT])
    assert not result.success
    assert "truncated" in failure_text(result) or "IncompleteRead" in failure_text(result)
    assert server.count(SMHI_PATH) - requests_before == 3
    assert warehouse_fingerprint() == before


def test_429_with_retry_after_is_honoured_then_loads(smhi_server):
    server, handler = smhi_server
    requests_before = server.count(SMHI_PATH)
    server.add_fault(Fault(SMHI_PATH, status=429, retry_after="1", times=1))
    result = run_assets([GGT])
    assert result.success
    assert server.count(SMHI_PATH) - requests_before == 2
    vintages = {
        str(v)
        for (v,) in duckdb.connect(str(Settings.from_env().warehouse.path), read_only=True)
        .execute("select distinct vintage from raw.smhi_emissions_ggt")
        .fetchall()
    }
    assert vintages == set(handler.releases())


def broken_release(tmp_path, cell: str, value) -> SmhiHandler:
    """A payload folder whose newest GGT release has one cell changed."""
    newest = sorted(PAYLOAD_DIR.glob("GGT_*.xlsx"))[-1]
    workbook = openpyxl.load_workbook(newest)
    sheet = workbook.worksheets[0]
    sheet[cell] = value
    folder = tmp_path / "payloads"
    folder.mkdir()
    buffer = io.BytesIO()
    workbook.save(buffer)
    (folder / "GGT_2027-06-20.xlsx").write_bytes(buffer.getvalue())
    shutil.copy(sorted(PAYLOAD_DIR.glob("GGT_*.xlsx"))[0], folder)
    return SmhiHandler(payload_dir=folder), sheet.title


@pytest.mark.usefixtures("smhi_server")
def test_malformed_file_is_rejected_with_sheet_row_and_value(tmp_path, monkeypatch):
    before = warehouse_fingerprint()
    handler, sheet_title = broken_release(tmp_path, "H12", "n/a")
    with ReplayServer([handler]) as server:
        monkeypatch.setenv("SMHI_BASE_URL", server.url)
        result = run_assets([GGT])
    assert not result.success
    text = failure_text(result)
    assert "rejected, nothing loaded" in text
    assert f"sheet '{sheet_title}'" in text and "row 12" in text and "'n/a'" in text
    assert warehouse_fingerprint() == before
    reports = list(Settings.from_env().warehouse.landing_dir.rglob("*.rejected.json"))
    assert len(reports) == 1
    assert reports[0].with_name(reports[0].name.removesuffix(".rejected.json")).exists()


def test_reloading_the_same_file_changes_nothing(smhi_server):
    server, handler = smhi_server
    handler.release = handler.releases()[0]  # the release already loaded by the fixture
    before = warehouse_fingerprint()
    result = run_assets([GGT])
    assert result.success
    [event] = [e for e in result.get_asset_materialization_events()]
    assert event.materialization.metadata["unchanged_since_last_load"].value is True
    assert warehouse_fingerprint() == before


@pytest.mark.usefixtures("isolated_env")
def test_full_rerun_is_idempotent(demo_warehouse, monkeypatch):
    """The whole job (download, load, dbt) on a copy of the demo warehouse changes no table."""
    from replay.offline import start_offline_server

    settings = Settings.from_env()
    settings.warehouse.path.parent.mkdir(parents=True)
    shutil.copy(demo_warehouse.warehouse.path, settings.warehouse.path)
    # The meter marts read the Parquet lake beside the file: it is part of the warehouse's state.
    shutil.copytree(demo_warehouse.meters.lake_root, settings.meters.lake_root)
    before = warehouse_fingerprint()
    with start_offline_server() as offline:
        for name, url in offline.environment().items():
            monkeypatch.setenv(name, url)
        result = run_assets()
    assert result.success, failure_text(result)
    assert warehouse_fingerprint() == before
