"""Operating the warehouse: a failed run is told in one line of the log and, when ALERT_WEBHOOK_URL
is set, posted to that webhook (pipelines/lib/alerts.py). The sensor ships on and watches every run
of the instance, whatever started it (an automation sensor, an inbox sensor, a person, the CLI)."""

import dagster as dg

from pipelines.lib.alerts import RunFailure
from pipelines.resources import AlertResource


def failure_message(context: dg.RunFailureSensorContext) -> str:
    """The run's failure and, for each failed step, its error (the run's own message names the
    steps, not what went wrong in them)."""
    steps = [
        f"{event.step_key}: {root_cause(event.step_failure_data.error)}"
        for event in context.get_step_failure_events()
        if event.step_failure_data.error
    ]
    return " ".join([context.failure_event.message or "The run failed.", *steps])


def root_cause(error) -> str:
    """The innermost error's message: Dagster wraps the asset's own exception in its own."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    # Every run of the instance, also those started outside the code location's servers
    # (`borlange demo`, `dagster asset materialize`), which carry no code location of their own.
    monitor_all_code_locations=True,
    description="One line in the log for every failed run, and a JSON post to ALERT_WEBHOOK_URL "
    "when it is set.",
)
def run_failure_alert(context: dg.RunFailureSensorContext, alerts: AlertResource) -> None:
    run = context.dagster_run
    failure = RunFailure(
        run_id=run.run_id,
        job=run.job_name,
        message=failure_message(context),
        location=run.remote_job_origin.location_name if run.remote_job_origin else None,
    )
    context.log.error(failure.line())
    undelivered = alerts.announce(failure)
    if undelivered:
        # Not raised: a failed tick would announce the same run again on the next one.
        context.log.warning(f"the alert for run {run.run_id} was not delivered: {undelivered}")
