-- Hourly energy per medium, direction, network area and customer category (aggregates only). A cell
-- of fewer than var meter_min_points metering points is suppressed: kWh and shares null,
-- is_suppressed true.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
{%- set min_points = var('meter_min_points', 5) %}
select
    medium,
    riktning,
    natomrade,
    kundkategori,
    hour_utc,
    case when point_count >= {{ min_points }} then {{ wh_to_kwh('wh') }} end as kwh,
    point_count,
    case
        when point_count >= {{ min_points }}
            then coalesce(estimated_wh, 0) / nullif(wh, 0)
    end as estimated_share,
    point_count < {{ min_points }} as is_suppressed,
    is_synthetic,
    'borlange_energi_meters' as source_id
from {{ ref('int_meters__hourly_energy') }}
{%- endif %}
