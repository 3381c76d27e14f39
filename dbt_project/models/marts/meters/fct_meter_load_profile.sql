-- Load profile per medium, customer category and month (consumption, all network areas together):
-- the peak hour and its kW (an hour's kWh is its mean kW), the mean kW, the load factor (mean /
-- peak) and load-duration percentiles of the hourly kW. A category-month whose hours have fewer
-- than var meter_min_points points (the least hour counts) is suppressed.
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
        hour_utc,
        cast(date_trunc('month', hour_utc + interval 1 hour) as date) as month,
        cast(wh as double) / 1000 as kw,
        point_count,
        is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where riktning = 'uttag'
),

monthly as (
    select
        medium,
        kundkategori,
        month,
        max(kw) as peak_kw,
        {{ exact_avg("kw") }} as mean_kw,
        -- quantile_cont on DuckDB; Spark interpolates in another order, so its percentiles may
        -- differ from DuckDB's in the last bit
        percentile_cont(0.5) within group (order by kw) as p50_kw,
        percentile_cont(0.9) within group (order by kw) as p90_kw,
        percentile_cont(0.99) within group (order by kw) as p99_kw,
        min(point_count) as point_count,
        count(*) as hours,
        bool_or(is_synthetic) as is_synthetic
    from hourly
    group by all
),

-- The peak hour in two plain steps (the earliest of tied peaks), so that every engine picks the
-- same hour: Spark's and DuckDB's min_by or first() may pick different tied rows.
peaks as (
    select
        h.medium,
        h.kundkategori,
        h.month,
        min(h.hour_utc) as peak_hour_utc
    from hourly as h
    inner join monthly as m
        on
            h.medium = m.medium
            and h.kundkategori = m.kundkategori
            and h.month = m.month
            and h.kw = m.peak_kw
    group by h.medium, h.kundkategori, h.month
),

with_peaks as (
    select
        m.*,
        p.peak_hour_utc
    from monthly as m
    left join peaks as p using (medium, kundkategori, month)
)

select
    medium,
    kundkategori,
    month,
    case when point_count >= {{ min_points }} then peak_hour_utc end as peak_hour_utc,
    case when point_count >= {{ min_points }} then peak_kw end as peak_kw,
    case when point_count >= {{ min_points }} then mean_kw end as mean_kw,
    case when point_count >= {{ min_points }} then mean_kw / nullif(peak_kw, 0) end as load_factor,
    case when point_count >= {{ min_points }} then p50_kw end as p50_kw,
    case when point_count >= {{ min_points }} then p90_kw end as p90_kw,
    case when point_count >= {{ min_points }} then p99_kw end as p99_kw,
    point_count,
    cast(hours as integer) as hours,
    point_count < {{ min_points }} as is_suppressed,
    is_synthetic
from with_peaks
{%- endif %}
