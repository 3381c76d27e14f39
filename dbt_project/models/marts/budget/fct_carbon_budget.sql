-- The carbon budget year by year, per kommun and method: the allowed path, the emissions
-- (actual, or approximated on the trend where SMHI has no figure yet), both cumulated from
-- the as-of year, and what is left of the budget. Annual sums for every method, so that the
-- columns add up row by row; each method's own total is in marts.trajectory.
with

paths as (select * from {{ ref('stg_trajectory__yearly_paths') }}),

summary as (select * from {{ ref('trajectory') }}),

joined as (
    select
        paths.kommun_kod,
        paths.method,
        paths.year,
        summary.gas,
        summary.as_of_year,
        paths.allowed_t,
        paths.emissions_t,
        paths.emissions_kind,
        summary.budget_t,
        paths.year >= summary.as_of_year as counts_against_budget
    from paths
    inner join summary using (kommun_kod, method)
),

cumulated as (
    select
        *,
        case
            when counts_against_budget then
                sum(case when counts_against_budget then allowed_t end) over w
        end as cumulative_allowed_t,
        case
            when counts_against_budget then
                sum(case when counts_against_budget then emissions_t end) over w
        end as cumulative_emissions_t
    from joined
    window
        w as (
            partition by kommun_kod, method
            order by year rows between unbounded preceding and current row
        )
)

select
    kommun_kod,
    method,
    cast(year as integer) as year,
    gas,
    cast(as_of_year as integer) as as_of_year,
    allowed_t,
    cumulative_allowed_t,
    emissions_t,
    emissions_kind,
    cumulative_emissions_t,
    budget_t,
    budget_t - cumulative_emissions_t as remaining_budget_t
from cumulated
