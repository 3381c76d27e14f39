-- District-heating deliveries per customer category and hour (all network areas together), from the
-- meters; cells of fewer than var meter_min_points points suppressed.
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select kundkategori, hour_utc, wh, point_count, is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where medium = 'fjarrvarme' and riktning = 'uttag'
)
select
    cast(kundkategori as varchar)                                            as kundkategori,
    cast(hour_utc as timestamp)                                              as hour_utc,
    case when point_count >= {{ min_points }} then {{ wh_to_kwh('wh') }} end   as kwh,
    cast(point_count as integer)                                             as point_count,
    cast(point_count < {{ min_points }} as boolean)                          as is_suppressed,
    cast(is_synthetic as boolean)                                            as is_synthetic,
    cast('borlange_energi_meters' as varchar)                                as source_id
from hourly
