-- Each partner inside Borlänge: its own scope-1 emissions inside the territory as a share of
-- the SMHI sector it falls under (registry seed), for the years SMHI has published.
with

partner_scope1 as (
    select
        partner_id,
        partner_name,
        year,
        smhi_huvudsektor,
        {{ exact_sum("tonnes_co2e") }} as partner_scope1_t
    from {{ ref('fct_partner_emissions') }}
    where scope = 1 and inside_territory and smhi_huvudsektor is not null
    group by partner_id, partner_name, year, smhi_huvudsektor
),

smhi_sector as (
    select
        year,
        huvudsektor,
        vintage,
        {{ exact_sum("tonnes") }} as smhi_sector_t
    from {{ ref('fct_emissions') }}
    where kommun_kod = '{{ var("report_kommun") }}' and gas = 'CO2e'
    group by year, huvudsektor, vintage
)

select
    partner_scope1.partner_id,
    partner_scope1.partner_name,
    partner_scope1.year,
    partner_scope1.smhi_huvudsektor,
    partner_scope1.partner_scope1_t,
    smhi_sector.smhi_sector_t,
    smhi_sector.vintage as smhi_vintage,
    partner_scope1.partner_scope1_t / nullif(smhi_sector.smhi_sector_t, 0) as share_of_smhi_sector
from partner_scope1
left join smhi_sector
    on
        partner_scope1.year = smhi_sector.year
        and partner_scope1.smhi_huvudsektor = smhi_sector.huvudsektor
