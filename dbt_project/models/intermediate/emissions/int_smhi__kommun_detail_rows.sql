-- The most detailed kommun rows of every file, so that summing them gives the total:
-- subsector rows where the release has them, else the main-sector row with a null
-- undersektor. `Alla` aggregates never pass.
--
-- SMHI's subsectors do not always add up to their main sector (in the CO2 export of
-- 2024-04-18, Avfall and Transporter differ by up to ±128 kt). Where they differ by more
-- than half a tonne, an explicit residual row (is_subsector_residual) carries the
-- difference, so that sums stay equal to SMHI's own totals and the gap stays visible.
with

kommun_rows as (
    select * from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level = 'kommun' and huvudsektor <> 'Alla'
),

sector_rows as ( select * from kommun_rows where undersektor = 'Alla' ),
subsector_rows as ( select * from kommun_rows where undersektor <> 'Alla' ),

subsector_sums as (
    select vintage, gas, kommun_kod, huvudsektor, year, {{ exact_sum("tonnes") }} as tonnes
    from subsector_rows
    group by vintage, gas, kommun_kod, huvudsektor, year
),

unsplit_sectors as (
    select sector_rows.* exclude (undersektor, undersektor_code),
        cast(null as varchar) as undersektor,
        cast(null as varchar) as undersektor_code,
        false as is_subsector_residual
    from sector_rows
    anti join subsector_sums using (vintage, gas, kommun_kod, huvudsektor, year)
),

subsectors as (
    select subsector_rows.*, false as is_subsector_residual
    from subsector_rows
),

residuals as (
    select sector_rows.* exclude (undersektor, undersektor_code, tonnes),
        'Ej fördelat på undersektor (residual)'       as undersektor,
        sector_rows.huvudsektor_code || '.residual'  as undersektor_code,
        true                                          as is_subsector_residual,
        sector_rows.tonnes - subsector_sums.tonnes    as tonnes
    from sector_rows
    inner join subsector_sums using (vintage, gas, kommun_kod, huvudsektor, year)
    where abs(sector_rows.tonnes - subsector_sums.tonnes) > 0.5
)

select * from unsplit_sectors
union all by name
select * from subsectors
union all by name
select * from residuals
