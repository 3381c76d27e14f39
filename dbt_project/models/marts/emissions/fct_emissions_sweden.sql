-- Territorial emissions of Sweden per year, main sector and gas: SMHI's own national rows
-- (Naturvårdsverket's inventory as SMHI distributes it), newest vintage per year. They hold more
-- than the sum of the län: the difference is SMHI's unallocated part
-- (marts.emissions_area_balance).
with

area as (
    select * from {{ ref('int_smhi__area_sector_rows') }}
    where geo_level = 'riket'
),

source_info as (
    select * from {{ ref('data_sources') }}
    where source_id = 'smhi_ned'
)

select
    {{ smhi_area_emission_columns('area', 'source_info') }}
from area
cross join source_info
