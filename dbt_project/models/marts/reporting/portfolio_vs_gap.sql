-- How much of Borlänge's required cut the plan covers, year by year to 2030. The required cut is
-- the gap the trajectory check reports: emissions on the trend minus the allowed path (method var
-- portfolio_gap_method, carbon_law by default). The cut the plan covers is the scenario engine's
-- (pipelines/defs/plan): business as usual minus the plan, so actions on the same emissions count
-- once, never a sum of each action's own reduction.
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

realised as (
    select
        gap.year,
        {{ exact_sum("coalesce(actions.realised_reduction_t, 0)") }} as realised_reduction_t
    from gap
    left join actions on gap.year >= actions.start_year
    group by gap.year
),

covered as (
    select
        coverage.year,
        coverage.covered_t as planned_reduction_t,
        coverage.actions_in_force as actions_counted,
        coverage.is_synthetic
    from {{ ref('stg_plan__gap_coverage') }} as coverage
    where coverage.kommun_kod = '{{ var("report_kommun") }}'
)

select
    gap.year,
    gap.method,
    gap.trend_t,
    gap.allowed_t,
    gap.required_cut_t,
    coalesce(covered.planned_reduction_t, 0) as planned_reduction_t,
    coalesce(realised.realised_reduction_t, 0) as realised_reduction_t,
    coalesce(covered.planned_reduction_t, 0)
    / nullif(gap.required_cut_t, 0) as planned_share_of_required_cut,
    gap.required_cut_t - coalesce(covered.planned_reduction_t, 0) as uncovered_t,
    cast(coalesce(covered.actions_counted, 0) as integer) as actions_counted,
    coalesce(covered.is_synthetic, false) as is_synthetic
from gap
left join covered using (year)
left join realised using (year)
