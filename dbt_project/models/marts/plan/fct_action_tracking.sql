-- Per action: status, per cent done, the latest realised result (weather-corrected meter change,
-- or the reported KPI value) beside its expected value, the cost per tonne, and a flag
-- (no_kpi, completed_without_measured_result): a genomförd action with no result is shown, not
-- hidden.
select
    tracking.action_id,
    tracking.title,
    tracking.status,
    tracking.percent_done,
    tracking.in_plan,
    tracking.kpi_kind,
    tracking.kpi_ref,
    tracking.last_result_year,
    tracking.expected_value,
    tracking.realised_value,
    tracking.result_source,
    tracking.flag,
    economics.cost_per_tonne_sek,
    tracking.is_synthetic
from {{ ref('stg_plan__action_tracking') }} as tracking
left join {{ ref('stg_plan__action_economics') }} as economics
    on tracking.action_id = economics.action_id
