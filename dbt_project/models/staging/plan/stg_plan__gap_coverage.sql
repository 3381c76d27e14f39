-- The plan asset's gap coverage, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(year as integer) as year,
    cast(bau_t as double precision) as bau_t,
    cast(plan_t as double precision) as plan_t,
    cast(actions_in_force as integer) as actions_in_force,
    cast(covered_t as double precision) as covered_t,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'gap_coverage') }}
