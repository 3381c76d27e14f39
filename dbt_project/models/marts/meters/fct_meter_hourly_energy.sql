-- Hourly energy per medium, direction, network area and customer category (aggregates only). A cell of
-- fewer than var meter_min_points metering points is suppressed: kWh and shares null, is_suppressed true.
{%- set min_points = var('meter_min_points', 5) %}
select
    cast(medium as varchar)                                                    as medium,
    cast(riktning as varchar)                                                  as riktning,
    cast(natomrade as varchar)                                                 as natomrade,
    cast(kundkategori as varchar)                                              as kundkategori,
    cast(hour_utc as timestamp)                                                as hour_utc,
    case when point_count >= {{ min_points }} then {{ wh_to_kwh('wh') }} end     as kwh,
    cast(point_count as integer)                                               as point_count,
    cast(case when point_count >= {{ min_points }}
              then coalesce(estimated_wh, 0) / nullif(wh, 0) end as double)    as estimated_share,
    cast(point_count < {{ min_points }} as boolean)                            as is_suppressed,
    cast(is_synthetic as boolean)                                              as is_synthetic,
    cast('borlange_energi_meters' as varchar)                                  as source_id
from {{ ref('int_meters__hourly_energy') }}
