-- The plan asset's overlaps, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(activity_id as varchar) as activity_id,
    cast(inventory as varchar) as inventory,
    cast(smhi_sector as varchar) as smhi_sector,
    cast(year as integer) as year,
    cast(combined_t as double precision) as combined_t,
    cast(sum_of_impacts_t as double precision) as sum_of_impacts_t,
    cast(overlap_t as double precision) as overlap_t,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'overlaps') }}
