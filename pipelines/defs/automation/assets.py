"""How the warehouse runs by itself, the Dagster way (Declarative Automation), and the jobs over the
whole warehouse that stay for manual runs and backfills; each domain keeps its own jobs.

`apply_automation`, applied last by the definitions loader (pipelines/definitions.py), gives every
asset its automation condition and the sources their freshness policies, from the release rhythms
of pipelines/defs/automation/policy.py:
- the statistics (SMHI, SCB, SEI, Kolada) on a cron (`AutomationCondition.on_cron`);
- the inboxes and the meter lake's months by their sensors, which load only the files waiting;
- everything else eagerly (`AutomationCondition.eager`): when an upstream asset updates, the dbt
  models, the trajectories, the serving copy, the site and the reports follow, but only once every
  blocking check upstream has passed (`all_deps_blocking_checks_passed`). dbt's error-severity tests
  are blocking checks, so a failed test stops what depends on it, in the same run and in later ones.
Two automation sensors evaluate the conditions, so each can be switched on its own: the statistics
ship off (switch them on where the live sources should be asked), the rest ships on.
"""

import warnings
from collections.abc import Callable

import dagster as dg

from pipelines.defs.automation import policy
from pipelines.settings import PARTITIONING_TAG, SCHEDULE_TIMEZONE

# Partitioned assets (tagged PARTITIONING_TAG: the meter lake's months) run in their own jobs, one
# run per partition, started by their sensor or a backfill; this job has no partition key.
warehouse_refresh = dg.define_asset_job(
    "warehouse_refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.tag(PARTITIONING_TAG, "monthly"),
    description="Download every source, load the raw tables and rebuild all dbt models and checks.",
)

YEARLY_STATISTICS = [
    ["raw", "scb_energy"],
    ["raw", "scb_lulucf_national"],
    ["raw", "scb_forest_land"],
    ["raw", "scb_consumption_emissions"],
    ["raw", "scb_brp"],
    ["raw", "sei_household_emissions"],
    ["raw", "national_sector_emissions"],
]
yearly_statistics_job = dg.define_asset_job(
    "yearly_statistics",
    selection=dg.AssetSelection.assets(*YEARLY_STATISTICS).downstream(),
    description="Fetch the yearly statistics (SCB energy, LULUCF, national sector emissions, "
    "forest land, consumption, BRP; the SEI file) and rebuild everything downstream.",
)

ASKED_KEYS = [dg.AssetKey.from_user_string(key) for key in policy.ASKED]
SENSOR_DRIVEN_KEYS = [dg.AssetKey.from_user_string(key) for key in policy.SENSOR_DRIVEN]

statistics_automation = dg.AutomationConditionSensorDefinition(
    "statistics_automation",
    target=dg.AssetSelection.assets(*ASKED_KEYS),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Asks SMHI, SCB, SEI and Kolada on their cron (on_cron): SMHI on 20 June, SCB's "
    "population on 1 March, the other yearly tables on the 5th of each month. Ships off.",
)
warehouse_automation = dg.AutomationConditionSensorDefinition(
    "warehouse_automation",
    target=dg.AssetSelection.all() - dg.AssetSelection.assets(*ASKED_KEYS),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuilds what lies downstream of an updated asset (eager), once the blocking "
    "checks upstream have passed: the dbt models, trajectories, serving copy, site and reports.",
)

BLOCKING_CHECKS_PASSED = dg.AutomationCondition.all_deps_blocking_checks_passed()
EAGER = (dg.AutomationCondition.eager() & BLOCKING_CHECKS_PASSED).with_label(
    "eager, once upstream blocking checks pass"
)
# A model over the meter lake's months depends on every month since 2019, most of which never get a
# file: "any dependency missing" would hold it back for ever, so it waits for updates only.
EAGER_OVER_MONTHS = (
    dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing())
    & BLOCKING_CHECKS_PASSED
).with_label("eager over the monthly partitions, once upstream blocking checks pass")


def cron_condition(asked: policy.Asked) -> dg.AutomationCondition:
    return dg.AutomationCondition.on_cron(asked.cron, SCHEDULE_TIMEZONE)


def freshness_policy(rule: policy.DueBy | policy.Within) -> dg.FreshnessPolicy:
    if isinstance(rule, policy.DueBy):
        return dg.FreshnessPolicy.cron(
            deadline_cron=rule.deadline_cron,
            lower_bound_delta=rule.lower_bound,
            timezone=SCHEDULE_TIMEZONE,
        )
    return dg.FreshnessPolicy.time_window(fail_window=rule.fail, warn_window=rule.warn)


def condition_for(key: dg.AssetKey, graph) -> dg.AutomationCondition | None:
    """The automation condition of `key` in the asset graph `graph`."""
    name = key.to_user_string()
    if name in policy.ASKED:
        return cron_condition(policy.ASKED[name])
    if name in policy.SENSOR_DRIVEN:
        return None
    over_months = any(
        isinstance(graph.get(parent).partitions_def, dg.TimeWindowPartitionsDefinition)
        for parent in graph.get(key).parent_keys
    )
    return EAGER_OVER_MONTHS if over_months else EAGER


def with_policy(graph) -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if not graph.get(spec.key).is_executable:
            return spec  # an external table: nothing to run, nothing to keep fresh
        rule = policy.FRESHNESS.get(spec.key.to_user_string())
        return spec.replace_attributes(
            automation_condition=condition_for(spec.key, graph),
            freshness_policy=freshness_policy(rule) if rule else None,
        )

    return apply


def apply_automation(defs: dg.Definitions) -> dg.Definitions:
    """`defs` with every asset's automation condition and the sources' freshness policies."""
    with warnings.catch_warnings():
        # Dagster 1.13 marks map_asset_specs as preview; this is the project's one call, pinned
        # with the version, and its warning would otherwise open every load and run log.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=with_policy(defs.resolve_asset_graph()))
