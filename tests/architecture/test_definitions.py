"""The code location: assets, groups, checks, pools, schedules, and the dbt data dictionary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.transform.assets import (
    dbt_project_for,
    layer_of,
    manifest_is_stale,
    prepare_manifest,
)
from pipelines.settings import DUCKDB_POOL, PARTITIONING_TAG, REPO_ROOT, Settings

MARTS = {
    "fct_emissions",
    "emissions_per_capita",
    "emission_revisions",
    "dim_kommun",
    "dim_sector",
    "dim_data_source",
    "fct_carbon_budget",
    "fct_partner_emissions",
    "partner_territorial_share",
    "fct_partner_removals",
    "fct_action_portfolio",
    "partner_reporting_status",
    "portfolio_vs_gap",
    # energy (issue 4)
    "fct_district_heating_monthly",
    "fct_energy_balance",
    "fct_district_heating_climate_value",
    "fct_electricity",
    "fct_energy_use",
    "fct_energy_production",
}
MARTS |= {"fct_carbon_sinks", "climate_neutrality_balance"}  # carbon sinks (issue 6)
MARTS |= {
    "fct_consumption_emissions",
    "consumption_trajectory",
    "dim_peer_group_members",
    "peer_comparison",
}
MARTS |= {"emissions_rank_in_lan"}  # the one home of a rank in the län
MARTS |= {"fct_grid_carbon_intensity_monthly"}  # hourly carbon intensity (issue 14)
MARTS |= {"trajectory"}  # dbt publishes the polars asset's trajectory.summary (the house)
MARTS |= {
    "fct_emissions_lan",
    "fct_emissions_sweden",
    "emissions_area_balance",
    "trajectory_lan",  # issue 16
    "fct_gpc_inventory",
    "fct_indicators",
}
MARTS |= {
    "fct_meter_hourly_energy",
    "fct_district_heating_hourly",
    "fct_meter_load_profile",  # meters (issue 14)
    "fct_meter_daily_profile",
    "fct_meter_data_quality",
    "fct_electricity_emissions_hourly",
    "fct_electricity_timing_effect_monthly",
}

MARTS |= {  # the plan (issue 24)
    "fct_scenario_emissions",
    "fct_action_impact",
    "fct_mac_curve",
    "fct_investment_plan",
    "fct_action_tracking",
    "fct_plan_summary",
}
MARTS |= {  # the nowcast (issue 23)
    "fct_nowcast_backtest",
    "fct_nowcast_backtest_summary",
    "fct_emissions_nowcast",
    "fct_nowcast_paris",
    "fct_nowcast_base_year_common_change",
}


@pytest.fixture(scope="module")
def defs():
    from pipelines.definitions import build_definitions

    return build_definitions()


@pytest.fixture(scope="module")
def asset_specs(defs):
    return {spec.key: spec for spec in defs.resolve_all_asset_specs()}


def test_asset_keys_are_layer_and_name(asset_specs):
    keys = {"/".join(k.path) for k in asset_specs}
    assert {"raw/smhi_emissions_ggt", "raw/smhi_emissions_co2", "raw/scb_population"} <= keys
    assert {"staging/stg_smhi__emissions", "staging/stg_scb__population"} <= keys
    assert {f"marts/{m}" for m in MARTS} <= keys
    assert not any("borlange" in key for key in keys), (
        "asset keys must not depend on the warehouse file"
    )


def test_groups_follow_layers(asset_specs):
    groups = {spec.group_name for spec in asset_specs.values()}
    assert groups == {
        "ingestion",
        "reference",
        "staging",
        "intermediate",
        "marts",
        "serving",
        "reports",
    }
    assert asset_specs[dg.AssetKey(["marts", "fct_emissions"])].group_name == "marts"


def test_marts_depend_on_ingestion(defs):
    graph = defs.resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["marts", "fct_emissions"])).parent_keys
    assert dg.AssetKey(["intermediate", "int_smhi__kommun_detail_rows"]) in upstream
    lineage = (
        dg.AssetSelection.assets(dg.AssetKey(["marts", "emissions_per_capita"]))
        .upstream()
        .resolve(graph)
    )
    assert {
        dg.AssetKey(["raw", "smhi_emissions_ggt"]),
        dg.AssetKey(["raw", "scb_population"]),
    } <= lineage


def test_dbt_tests_are_asset_checks(defs):
    checks = {
        (c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys
    }
    detail = "intermediate/int_smhi__kommun_detail_rows"
    assert (detail, "assert_smhi_sectors_sum_to_kommun_total") in checks
    assert (detail, "warn_smhi_subsectors_do_not_add_up") in checks
    assert ("marts/fct_emissions", "warn_sector_yoy_change") in checks
    assert any(
        a == "marts/fct_emissions" and n.startswith("unique_combination_of_columns")
        for a, n in checks
    )


def test_trajectory_runs_between_the_two_dbt_ops_with_a_check_per_method(defs):
    from pipelines.defs.trajectory.presets import load_presets

    graph = defs.resolve_asset_graph()
    trajectory = dg.AssetKey(["trajectory", "summary"])
    upstream = dg.AssetSelection.assets(trajectory).upstream().resolve(graph)
    assert dg.AssetKey(["marts", "emissions_per_capita"]) in upstream
    downstream = dg.AssetSelection.assets(trajectory).downstream().resolve(graph)
    assert {
        dg.AssetKey(["marts", "fct_carbon_budget"]),
        dg.AssetKey(["marts", "trajectory"]),
    } <= downstream
    checks = {c.name for c in graph.asset_check_keys if c.asset_key == trajectory}
    assert checks == {f"borlange_on_track_{m}" for m in load_presets()}


def test_the_nowcast_runs_between_the_two_dbt_ops_eagerly_with_its_target_checks(defs):
    from pipelines.defs.nowcast.run import TARGETS

    graph = defs.resolve_asset_graph()
    estimates = dg.AssetKey(["nowcast", "estimates"])
    upstream = dg.AssetSelection.assets(estimates).upstream().resolve(graph)
    assert {
        dg.AssetKey(["raw", "national_sector_emissions"]),
        dg.AssetKey(["raw", "smhi_emissions_ggt"]),
        dg.AssetKey(["intermediate", "int_nowcast__releases"]),
    } <= upstream
    downstream = dg.AssetSelection.assets(estimates).downstream().resolve(graph)
    assert dg.AssetKey(["marts", "fct_emissions_nowcast"]) in downstream
    # The estimates never flow into the marts that give SMHI as their source.
    assert (
        not {
            dg.AssetKey(["marts", m])
            for m in ("fct_emissions", "emissions_per_capita", "trajectory", "fct_carbon_budget")
        }
        & downstream
    )
    checks = {c.name for c in graph.asset_check_keys if c.asset_key.path[0] == "nowcast"}
    assert checks == {t.name for t in TARGETS}
    condition = graph.get(estimates).automation_condition
    assert condition is not None
    assert condition.get_label() == "eager, once upstream blocking checks pass"


def test_publishing_waits_for_every_mart(defs):
    graph = defs.resolve_asset_graph()
    marts = {k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    assert graph.get(dg.AssetKey(["serving", "published_marts"])).parent_keys == marts


def test_every_warehouse_writer_is_in_the_single_writer_pool(defs):
    graph = defs.resolve_asset_graph()
    lake_writers = []
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable:
            continue
        if any(assets_def.tags_by_key[k].get(PARTITIONING_TAG) for k in assets_def.keys):
            lake_writers.append(
                assets_def.op.name
            )  # the meter lake's months: Parquet, no warehouse lock
            assert assets_def.op.pool is None, assets_def.op.name
        else:
            assert assets_def.op.pool == DUCKDB_POOL, assets_def.op.name
    assert sorted(lake_writers) == ["meters__el_values", "meters__fjarrvarme_values"]


def test_instance_limits_every_pool_to_one():
    import yaml

    config = yaml.safe_load((REPO_ROOT / ".dagster_home" / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1


def test_both_instances_monitor_runs_and_free_the_slots_of_ended_runs(tmp_path):
    import shutil

    import yaml

    for config in (".dagster_home/dagster.yaml", "deploy/dagster.yaml"):
        monitoring = yaml.safe_load((REPO_ROOT / config).read_text())["run_monitoring"]
        assert monitoring["enabled"] is True, config
        assert monitoring["free_slots_after_run_end_seconds"] == 30, config
        assert monitoring["max_resume_run_attempts"] == 0, config  # the default launcher can't
    shutil.copy(REPO_ROOT / ".dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:  # Dagster's own schema
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 30
        assert instance.run_monitoring_cancel_timeout_seconds == 60
        assert "MONITORING" in instance.get_required_daemon_types()
        assert "FRESHNESS_DAEMON" in instance.get_required_daemon_types()


def test_partner_inbox_sensor_starts_the_partner_job(defs):
    sensor = defs.resolve_sensor_def("partner_inbox_sensor")
    assert sensor.job_name == "partner_submissions"
    selection = defs.resolve_job_def("partner_submissions").asset_layer.selected_asset_keys
    assert dg.AssetKey(["raw", "partner_submissions"]) in selection
    assert dg.AssetKey(["marts", "fct_partner_emissions"]) in selection


def test_the_statistics_are_asked_on_their_cron_and_ship_off(defs, asset_specs):
    from pipelines.defs.automation import policy

    assert not defs.schedules  # Declarative Automation replaced the job schedules
    crons = {
        key.to_user_string(): spec.automation_condition.get_label()
        for key, spec in asset_specs.items()
        if spec.automation_condition and "on_cron" in spec.automation_condition.get_label()
    }
    assert crons == {
        key: f"on_cron({asked.cron}, Europe/Stockholm)" for key, asked in policy.ASKED.items()
    }
    assert crons["raw/smhi_emissions_ggt"] == "on_cron(0 6 20 6 *, Europe/Stockholm)"
    assert crons["raw/scb_population"] == "on_cron(0 6 1 3 *, Europe/Stockholm)"
    assert crons["raw/kolada_kpi_values"] == "on_cron(0 6 5 * *, Europe/Stockholm)"
    sensor = defs.resolve_sensor_def("statistics_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_everything_downstream_follows_eagerly_after_blocking_checks(defs, asset_specs):
    from pipelines.defs.automation.assets import EAGER, EAGER_OVER_MONTHS

    graph = defs.resolve_asset_graph()
    inboxes = {
        "raw/partner_submissions",
        "raw/energy_reports",
        "raw/carbon_intensity",
        "raw/meter_feed_files",
        "meters/el_values",
        "meters/fjarrvarme_values",
    }
    for key, spec in asset_specs.items():
        name = key.to_user_string()
        if name in inboxes or not graph.get(key).is_executable:
            assert spec.automation_condition is None, name
        elif not name.startswith("raw/"):
            assert spec.automation_condition in (EAGER, EAGER_OVER_MONTHS), name
    for name in (
        "marts/fct_emissions",
        "serving/published_marts",
        "site/medborgarsajt",
        "reports/klimatkontrakt_uppfoljning",
    ):
        condition = asset_specs[dg.AssetKey.from_user_string(name)].automation_condition
        assert condition == EAGER
        assert "all_deps_blocking_checks_passed" in str(condition)
    assert (
        asset_specs[dg.AssetKey(["staging", "stg_meters__values"])].automation_condition
        == EAGER_OVER_MONTHS
    )
    assert defs.resolve_sensor_def("warehouse_automation").default_status == (
        dg.DefaultSensorStatus.RUNNING
    )
    # dbt's error-severity tests are blocking checks, its warn-severity ones are not
    checks = {(c.key.asset_key.to_user_string(), c.key.name): c for c in graph.asset_check_nodes}
    detail = "intermediate/int_smhi__kommun_detail_rows"
    assert checks[(detail, "assert_smhi_sectors_sum_to_kommun_total")].blocking
    assert not checks[(detail, "warn_smhi_subsectors_do_not_add_up")].blocking


def test_the_sources_that_go_stale_have_freshness_policies(asset_specs):
    policies = {
        key.to_user_string(): spec.freshness_policy
        for key, spec in asset_specs.items()
        if spec.freshness_policy
    }
    assert set(policies) == {
        "raw/smhi_emissions_ggt",
        "raw/smhi_emissions_co2",
        "raw/scb_population",
        "raw/scb_energy",
        "raw/scb_lulucf_national",
        "raw/national_sector_emissions",
        "raw/scb_forest_land",
        "raw/scb_consumption_emissions",
        "raw/scb_brp",
        "raw/sei_household_emissions",
        "raw/kolada_kpi_values",
        "raw/energy_reports",
        "raw/meter_feed_files",
        "raw/partner_submissions",
        "raw/carbon_intensity",
    }
    smhi = policies["raw/smhi_emissions_ggt"]
    assert (smhi.deadline_cron, smhi.lower_bound_delta.days) == ("0 6 1 7 *", 45)
    energy = policies["raw/energy_reports"]
    assert (energy.warn_window.days, energy.fail_window.days) == (35, 65)
    partners = policies["raw/partner_submissions"]
    assert (partners.warn_window.days, partners.fail_window.days) == (380, 430)


def test_the_inbox_sensors_load_only_their_inbox(tmp_path):
    from pipelines.defs.partners.assets import SUBMISSIONS_KEY, partner_inbox_sensor
    from pipelines.resources import InboxResource

    drop = tmp_path / "inbox" / "partners" / "ikea"
    drop.mkdir(parents=True)
    (drop / "ikea_2024.csv").write_text("x")
    context = dg.build_sensor_context(
        resources={"inboxes": InboxResource(dir=str(tmp_path / "inbox"), settle_s=0.0)}
    )
    assert partner_inbox_sensor(context).asset_selection == [SUBMISSIONS_KEY]


def test_a_run_failure_alert_watches_every_run(defs):
    sensor = defs.resolve_sensor_def("run_failure_alert")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.required_resource_keys == {"alerts"}


def test_dagster_definitions_validate_passes():
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": ""},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "All code locations passed validation" in proc.stderr + proc.stdout


def test_every_mart_column_is_documented_and_typed():
    settings = Settings.from_env()
    prepare_manifest(
        settings, dbt_project_for(settings)
    )  # this process's manifest, parsed if stale
    manifest = json.loads((settings.dbt.target_dir / "manifest.json").read_text())
    marts = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("schema") == "marts"
    ]
    assert {n["name"] for n in marts} == MARTS
    for node in marts:
        assert node["description"].strip(), node["name"]
        assert node["config"]["contract"]["enforced"], node["name"]
        for column in node["columns"].values():
            assert column["description"].strip(), f"{node['name']}.{column['name']}"
            assert column["data_type"], f"{node['name']}.{column['name']}"


def test_layer_of_reads_schema_and_seed():
    assert layer_of({"resource_type": "seed", "fqn": ["p", "x"], "config": {}}) == "reference"
    assert (
        layer_of(
            {
                "resource_type": "model",
                "fqn": ["p", "marts", "emissions", "x"],
                "config": {"schema": "marts"},
            }
        )
        == "marts"
    )


def test_manifest_is_stale_when_a_model_is_newer(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x")
    manifest = tmp_path / "target" / "manifest.json"
    assert manifest_is_stale(tmp_path, manifest)
    manifest.parent.mkdir()
    manifest.write_text("{}")
    assert not manifest_is_stale(tmp_path, manifest)
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    os.utime(model, (time.time() + 10, time.time() + 10))
    assert manifest_is_stale(tmp_path, manifest)
