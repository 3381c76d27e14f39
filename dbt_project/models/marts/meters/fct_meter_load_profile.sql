-- Load profile per medium, customer category and month (consumption, all network areas together):
-- the peak hour and its kW (an hour's kWh is its mean kW), the mean kW, the load factor (mean /
-- peak) and load-duration percentiles of the hourly kW. A category-month whose hours have fewer
-- than var meter_min_points points (the least hour counts) is suppressed.
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select
        medium,
        kundkategori,
        hour_utc,
        cast(date_trunc('month', hour_utc + interval 1 hour) as date) as month,
        wh / 1000.0 as kw,
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
        -- the earliest of tied peaks
        first(hour_utc order by kw desc, hour_utc asc) as peak_hour_utc,
        max(kw) as peak_kw,
        {{ exact_avg("kw") }} as mean_kw,
        quantile_cont(kw, 0.5) as p50_kw,
        quantile_cont(kw, 0.9) as p90_kw,
        quantile_cont(kw, 0.99) as p99_kw,
        min(point_count) as point_count,
        count(*) as hours,
        bool_or(is_synthetic) as is_synthetic
    from hourly
    group by all
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
from monthly
