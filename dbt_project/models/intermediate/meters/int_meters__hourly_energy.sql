{{ config(materialized='table') }}
-- Meter values summed to the hour per medium, direction, network area and category: exact integer
-- Wh (15-minute values add up to their hour without rounding). No metering point leaves this step,
-- only counts of them; small cells are still here (the marts suppress them).
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
select
    medium,
    riktning,
    natomrade,
    kundkategori,
    date_trunc('hour', start_utc) as hour_utc,
    cast(sum(wh) as bigint) as wh,
    cast(sum(wh) filter (where is_estimated) as bigint) as estimated_wh,
    cast(count(distinct point_id) as integer) as point_count,
    cast(count(*) as bigint) as intervals,
    cast(count(*) filter (where is_missing) as bigint) as missing_intervals,
    bool_or(is_synthetic) as is_synthetic
from {{ ref('stg_meters__values') }}
group by all
{%- endif %}
