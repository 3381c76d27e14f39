-- How much of Borlänge's required cut the partners' planned actions cover, year by year to
-- 2030. The required cut is the gap the trajectory check reports: emissions on the trend
-- minus the allowed path (method var portfolio_gap_method, carbon_law by default). An action
-- counts from its start year at its expected annual reduction.
with

gap as (
    select
        year,
        method,
        emissions_t as trend_t,
        allowed_t,
        emissions_t - allowed_t as required_cut_t
    from {{ ref('fct_carbon_budget') }}
    where
        kommun_kod = '{{ var("report_kommun") }}'
        and method = '{{ var("portfolio_gap_method", "carbon_law") }}'
        and emissions_kind <> 'actual' and allowed_t is not null and year <= 2030
),

actions as (
    select * from {{ ref('fct_action_portfolio') }}
    where in_current_portfolio
),

covered as (
    select
        gap.year,
        {{ exact_sum("actions.expected_annual_reduction_t") }} as planned_reduction_t,
        {{ exact_sum("coalesce(actions.realised_reduction_t, 0)") }} as realised_reduction_t,
        count(actions.action_id) as actions_counted
    from gap
    left join actions on gap.year >= actions.start_year
    group by gap.year
)

select
    gap.year,
    gap.method,
    gap.trend_t,
    gap.allowed_t,
    gap.required_cut_t,
    coalesce(covered.planned_reduction_t, 0) as planned_reduction_t,
    coalesce(covered.realised_reduction_t, 0) as realised_reduction_t,
    coalesce(covered.planned_reduction_t, 0)
    / nullif(gap.required_cut_t, 0) as planned_share_of_required_cut,
    gap.required_cut_t - coalesce(covered.planned_reduction_t, 0) as uncovered_t,
    cast(covered.actions_counted as integer) as actions_counted
from gap
left join covered using (year)
