-- The marginal-abatement-cost curve of the goal year: the plan's actions cheapest first; each bar's
-- width is what it adds to the cheaper ones, so the widths add up to the plan's cut that year.
-- Costs discounted at the PLAN_DISCOUNT_RATE (ASEK's 3.5 % by default).
select
    curve.kommun_kod,
    curve.year,
    curve.inventory,
    curve.rank,
    curve.action_id,
    curve.title,
    curve.smhi_sector,
    curve.gpc_ref,
    curve.cost_per_tonne_sek,
    curve.width_t,
    curve.cumulative_t,
    curve.impact_t,
    curve.annualised_cost_sek,
    economics.investment_sek,
    economics.discount_rate,
    curve.is_synthetic
from {{ ref('stg_plan__mac_curve') }} as curve
left join {{ ref('stg_plan__action_economics') }} as economics
    on
        curve.kommun_kod = economics.kommun_kod
        and curve.action_id = economics.action_id
