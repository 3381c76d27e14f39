-- The plan asset's action tracking, typed.
select
    cast(action_id as varchar) as action_id,
    cast(title as varchar) as title,
    cast(status as varchar) as status,
    cast(percent_done as double precision) as percent_done,
    cast(in_plan as boolean) as in_plan,
    cast(kpi_kind as varchar) as kpi_kind,
    cast(kpi_ref as varchar) as kpi_ref,
    cast(last_result_year as integer) as last_result_year,
    cast(expected_value as double precision) as expected_value,
    cast(realised_value as double precision) as realised_value,
    cast(result_source as varchar) as result_source,
    cast(flag as varchar) as flag,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'action_tracking') }}
