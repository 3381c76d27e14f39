-- Each peer group's kommuner side by side: territorial CO2e per resident in the latest year with a
-- population, the change in total emissions since 2015, the Carbon Law trend and allowed sums and
-- verdict (var peer_trajectory_method), and the rank within the group (1 = lowest per resident).
with

members as (select * from {{ ref('dim_peer_group_members') }}),

per_capita as (
    select
        kommun_kod,
        year,
        tonnes,
        population,
        tonnes_per_capita,
        vintage
    from {{ ref('emissions_per_capita') }}
    where gas = 'CO2e' and in_latest_release
),

latest as (
    select per_capita.*
    from per_capita
    inner join (
        select
            kommun_years.kommun_kod,
            max(kommun_years.year) as year
        from per_capita as kommun_years
        where kommun_years.population is not null
        group by kommun_years.kommun_kod
    ) as newest using (kommun_kod, year)
),

base_2015 as (
    select
        kommun_kod,
        tonnes
    from per_capita
    where year = 2015
),

trajectory as (
    select * from {{ ref('trajectory') }}
    where method = '{{ var("peer_trajectory_method") }}'
),

path_2030 as (
    select
        kommun_kod,
        emissions_t as trend_2030_t,
        allowed_t as allowed_2030_t
    from {{ ref('fct_carbon_budget') }}
    where method = '{{ var("peer_trajectory_method") }}' and year = 2030
),

households as (
    select
        kommun_kod,
        year,
        tonnes_per_capita
    from {{ ref('fct_consumption_emissions') }}
    where component = 'households'
),

households_latest as (
    select households.*
    from households
    inner join (
        select
            kommun_years.kommun_kod,
            max(kommun_years.year) as year
        from households as kommun_years
        group by kommun_years.kommun_kod
    ) as newest using (kommun_kod, year)
),

joined as (
    select
        members.group_id,
        members.group_name,
        members.kommun_kod,
        members.kommun_namn,
        members.membership_verified,
        latest.year as latest_year,
        latest.tonnes as latest_tonnes,
        latest.population,
        latest.tonnes_per_capita,
        base_2015.tonnes as tonnes_2015,
        100.0 * (latest.tonnes / nullif(base_2015.tonnes, 0) - 1) as change_since_2015_pct,
        trajectory.method as trajectory_method,
        trajectory.slope_t_per_year as trend_slope_t_per_year,
        trajectory.trend_sum_t,
        trajectory.allowed_sum_t,
        trajectory.meets_paris,
        trajectory.net_zero_date,
        path_2030.trend_2030_t,
        path_2030.allowed_2030_t,
        households_latest.year as households_year,
        households_latest.tonnes_per_capita as households_tonnes_per_capita,
        latest.vintage
    from members
    left join latest on members.kommun_kod = latest.kommun_kod
    left join base_2015 on members.kommun_kod = base_2015.kommun_kod
    left join trajectory on members.kommun_kod = trajectory.kommun_kod
    left join path_2030 on members.kommun_kod = path_2030.kommun_kod
    left join households_latest on members.kommun_kod = households_latest.kommun_kod
)

select
    group_id,
    group_name,
    kommun_kod,
    kommun_namn,
    membership_verified,
    latest_year,
    latest_tonnes,
    population,
    tonnes_per_capita,
    tonnes_2015,
    change_since_2015_pct,
    trajectory_method,
    trend_slope_t_per_year,
    trend_sum_t,
    allowed_sum_t,
    meets_paris,
    net_zero_date,
    trend_2030_t,
    allowed_2030_t,
    households_year,
    households_tonnes_per_capita,
    cast(rank() over (partition by group_id order by tonnes_per_capita) as integer)
        as rank_in_group,
    cast(count(*) over (partition by group_id) as integer) as group_size,
    vintage
from joined
