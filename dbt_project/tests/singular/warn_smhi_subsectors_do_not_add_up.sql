-- Warn where SMHI publishes a main sector's subsectors and they do not add up to the sector by more
-- than rounding. The mart carries every gap as a residual row (int_smhi__kommun_detail_rows, above
-- half a tonne) so that totals stay SMHI's own; this check lists only the gaps worth a look:
-- - the sector is split: at least one subsector has a non-zero figure. Where SMHI prints only zeros
--   under a non-zero sector it publishes no split for that kommun and year (suppressed or not
--   distributed), and the residual row simply is the sector: nothing to look at;
-- - the gap exceeds both var smhi_subsector_warn_min_tonnes and var smhi_subsector_warn_share of
--   the larger of the two figures: SMHI rounds parts and totals separately, which leaves gaps of
--   well under 1 % (e.g. Transporter 1990 and 2000 in the CO2 export of 2024-04-18).
{{ config(severity='warn', store_failures=true, schema='audit') }}
with

split_sectors as (
    select * from {{ ref('int_smhi__kommun_detail_rows') }}
    where undersektor is not null
),

per_sector as (
    select
        vintage,
        gas,
        kommun_kod,
        year,
        huvudsektor,
        {{ exact_sum("tonnes") }} as sector_tonnes,
        {{ exact_sum("case when is_subsector_residual then 0 else tonnes end") }}
            as subsector_tonnes,
        {{ exact_sum("case when is_subsector_residual then tonnes else 0 end") }}
            as residual_tonnes,
        sum(case when is_subsector_residual then 1 else 0 end) as residual_rows,
        sum(case when not is_subsector_residual and tonnes <> 0 then 1 else 0 end)
            as subsectors_published
    from split_sectors
    group by vintage, gas, kommun_kod, year, huvudsektor
)

select
    vintage,
    gas,
    kommun_kod,
    year,
    huvudsektor,
    sector_tonnes,
    subsector_tonnes,
    residual_tonnes,
    {{ float_divide("residual_tonnes", "sector_tonnes") }} as residual_share_of_sector,
    subsectors_published
from per_sector
where
    residual_rows > 0
    and subsectors_published > 0
    and abs(residual_tonnes) > {{ var('smhi_subsector_warn_min_tonnes') }}
    and abs(residual_tonnes) > {{ var('smhi_subsector_warn_share') }}
    * greatest(abs(sector_tonnes), abs(subsector_tonnes))
