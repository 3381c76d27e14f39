"""deploy/dagster.yaml against a real PostgreSQL server: the instance comes up, a materialization
runs, and its run and events are stored in PostgreSQL."""

from __future__ import annotations

import shutil

import dagster as dg

from pipelines.settings import REPO_ROOT


def test_production_instance_runs_a_materialization_into_postgres(
    postgres_server, isolated_env, monkeypatch
):
    home = isolated_env / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    url = (
        f"postgresql+psycopg2://{postgres_server.user}:{postgres_server.password}"
        f"@{postgres_server.host}:{postgres_server.port}/{postgres_server.dbname}"
    )
    for name, value in {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": url,
        "INBOX_DIR": str(isolated_env / "inbox"),
    }.items():
        monkeypatch.setenv(name, value)

    from pipelines.definitions import build_definitions
    from pipelines.defs.partners.assets import SUBMISSIONS_KEY

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        result = (
            build_definitions()
            .resolve_job_def("partner_submissions")
            .execute_in_process(instance=instance, asset_selection=[SUBMISSIONS_KEY])
        )
        assert result.success
        stored = instance.get_run_by_id(result.run_id)
        assert stored is not None and stored.is_success
        assert instance.get_latest_materialization_event(SUBMISSIONS_KEY) is not None

    with postgres_server.connect() as con, con.cursor() as cur:
        cur.execute("select count(*) from runs where run_id = %s", (result.run_id,))
        assert cur.fetchone()[0] == 1
        cur.execute(
            "select count(*) from event_logs where run_id = %s and dagster_event_type = "
            "'ASSET_MATERIALIZATION'",
            (result.run_id,),
        )
        assert cur.fetchone()[0] == 1
