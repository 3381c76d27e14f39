"""Operating the warehouse: failed runs are told, and killed runs do not block the next.

- A failed run is told in one line of the log and, when ALERT_WEBHOOK_URL is set, posted to that
  webhook (pipelines/lib/alerts.py). The sensor ships on and watches every run of the instance,
  whatever started it (an automation sensor, an inbox sensor, a person, the CLI).
- A run killed with SIGKILL while a step held the `duckdb_warehouse` pool slot keeps that slot:
  Dagster frees a step's slot when the step ends, and nobody is left to end it. Every run therefore
  starts by freeing the slots of runs whose worker process is gone (`recovering`, the executor the
  definitions loader wraps; `free_slots_of_dead_runs`, which `borlange demo` calls too), and marks
  such a run failed when nothing else did. The process is judged by pipelines/lib/processes.py, only
  on the machine and pid namespace it ran in. Under `dagster-daemon`, run monitoring frees the slots
  of runs that ended, whoever ended them (`run_monitoring` in dagster.yaml; docs/operators.md).
"""

from collections.abc import Iterator

import dagster as dg

from pipelines.lib import processes
from pipelines.lib.alerts import RunFailure
from pipelines.resources import AlertResource

WORKER_TAG = "borlange/run_worker"  # this_process() of the process that orchestrates the run


def free_slots_of_dead_runs(
    instance: dg.DagsterInstance, current_run_id: str | None = None
) -> list[str]:
    """Free the concurrency slots of every run whose worker is gone, marking it failed if it is
    not finished; one line per run freed. A run whose worker cannot be judged (no tag: started
    elsewhere or before this code) is left to run monitoring and to a person."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    freed = []
    for run_id in sorted(storage.get_concurrency_run_ids() - {current_run_id}):
        run = instance.get_run_by_id(run_id)
        worker = run.tags.get(WORKER_TAG) if run else None
        if run is not None and (worker is None or not processes.is_gone(worker)):
            continue
        status = run.status.value if run else "deleted"
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run,
                f"The run worker of {run_id} is gone (killed?): run "
                f"{current_run_id or 'recovery'} marked the run failed and freed its pool slots.",
            )
        storage.free_concurrency_slots_for_run(run_id)
        freed.append(f"freed the pool slots of run {run_id} ({status}): its run worker is gone")
    return freed


class RecoveringExecutor(dg.Executor):
    """`inner`, after recording which process orchestrates the run and freeing the slots that
    killed runs left behind."""

    def __init__(self, inner: dg.Executor):
        self._inner = inner

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        instance, run = plan_context.instance, plan_context.dagster_run
        worker = processes.this_process()
        if worker:
            instance.add_run_tags(run.run_id, {WORKER_TAG: worker})
        for line in free_slots_of_dead_runs(instance, current_run_id=run.run_id):
            plan_context.log.warning(line)
        yield from self._inner.execute(plan_context, execution_plan)


def recovering(executor_def: dg.ExecutorDefinition) -> dg.ExecutorDefinition:
    """`executor_def`, each of whose runs first frees the slots of killed runs."""

    def create(init_context) -> RecoveringExecutor:
        return RecoveringExecutor(executor_def.executor_creation_fn(init_context))

    return dg.ExecutorDefinition(
        name=executor_def.name,
        config_schema=executor_def.config_schema,
        requirements=executor_def.get_requirements,
        executor_creation_fn=create,
        description=executor_def.description,
    )


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
