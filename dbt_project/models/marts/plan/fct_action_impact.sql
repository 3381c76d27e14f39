-- Per action and projected year: its single impact (the plan without it minus the plan, t CO2e),
-- its standalone effect on business as usual, and the overlap of its activity that year (the
-- combined cut minus the sum of the single impacts: shared, owned by no action).
select
    impacts.kommun_kod,
    impacts.action_id,
    tracking.title,
    impacts.activity_id,
    impacts.inventory,
    impacts.smhi_sector,
    impacts.gpc_ref,
    impacts.year,
    impacts.impact_t,
    impacts.standalone_t,
    impacts.activity_change,
    impacts.fraction,
    impacts.capped,
    shared.combined_t as activity_combined_t,
    shared.sum_of_impacts_t as activity_sum_of_impacts_t,
    shared.overlap_t as activity_overlap_t,
    impacts.is_synthetic
from {{ ref('stg_plan__action_impacts') }} as impacts
left join {{ ref('stg_plan__overlaps') }} as shared
    on
        impacts.kommun_kod = shared.kommun_kod
        and impacts.activity_id = shared.activity_id
        and impacts.year = shared.year
left join {{ ref('stg_plan__action_tracking') }} as tracking
    on impacts.action_id = tracking.action_id
