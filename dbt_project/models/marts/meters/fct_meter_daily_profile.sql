-- The mean weekday and weekend day per medium, customer category and month: mean kW of each hour of
-- the day in Swedish normal time (UTC+01:00, as the meters count), consumption, all network areas
-- together.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select
        medium,
        kundkategori,
        hour_utc + interval 1 hour as hour_normal_time,
        cast(wh as double) / 1000 as kw,
        point_count,
        is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where riktning = 'uttag'
),

profile as (
    select
        medium,
        kundkategori,
        cast(date_trunc('month', hour_normal_time) as date) as month,
        case
            when {{ is_weekend('hour_normal_time') }} then 'weekend' else 'weekday'
        end as day_type,
        hour(hour_normal_time) as hour_of_day,
        {{ exact_avg("kw") }} as mean_kw,
        min(point_count) as point_count,
        count(*) as days,
        bool_or(is_synthetic) as is_synthetic
    from hourly
    group by all
)

select
    medium,
    kundkategori,
    month,
    day_type,
    cast(hour_of_day as integer) as hour_of_day,
    case when point_count >= {{ min_points }} then mean_kw end as mean_kw,
    point_count,
    cast(days as integer) as days,
    point_count < {{ min_points }} as is_suppressed,
    is_synthetic
from profile
{%- endif %}
