-- District-heating deliveries per customer category and hour (all network areas together), from the
-- meters; cells of fewer than var meter_min_points points suppressed.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select
        kundkategori,
        hour_utc,
        wh,
        point_count,
        is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where medium = 'fjarrvarme' and riktning = 'uttag'
)

select
    kundkategori,
    hour_utc,
    case when point_count >= {{ min_points }} then {{ wh_to_kwh('wh') }} end as kwh,
    point_count,
    point_count < {{ min_points }} as is_suppressed,
    is_synthetic,
    'borlange_energi_meters' as source_id
from hourly
{%- endif %}
