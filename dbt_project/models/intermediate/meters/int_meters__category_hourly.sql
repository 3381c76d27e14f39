{{ config(materialized='table') }}
-- The hourly energy of each medium, direction and category over every network area together: the
-- one group-by the hourly, profile and emission marts start from. Exact integer Wh; small cells
-- still here.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
select
    medium,
    riktning,
    kundkategori,
    hour_utc,
    cast(sum(wh) as bigint) as wh,
    cast(sum(point_count) as integer) as point_count,     -- a point is in one network area
    bool_or(is_synthetic) as is_synthetic
from {{ ref('int_meters__hourly_energy') }}
group by all
{%- endif %}
