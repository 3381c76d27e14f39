-- Territorial emissions of Sweden per year, main sector and gas: SMHI's own national rows
-- (Naturvårdsverket's inventory as SMHI distributes it), newest vintage per year. They hold more
-- than the sum of the län: the difference is SMHI's unallocated part (marts.emissions_area_balance).
with

area as ( select * from {{ ref('int_smhi__area_sector_rows') }} where geo_level = 'riket' ),
source_info as ( select * from {{ ref('data_sources') }} where source_id = 'smhi_ned' )

select
    cast(area.year as integer)                  as year,
    cast(area.huvudsektor as varchar)           as huvudsektor,
    cast(area.huvudsektor_code as varchar)      as huvudsektor_code,
    cast(area.gas as varchar)                   as gas,
    cast(area.vintage as date)                  as vintage,
    cast(area.tonnes as double precision)       as tonnes,
    cast(case area.gas when 'CO2e' then 't CO2e' else 't CO2' end as varchar) as unit,
    cast(area.in_latest_release as boolean)     as in_latest_release,
    cast(source_info.source_id as varchar)      as source_id,
    cast(area.smhi_sub as varchar)              as smhi_sub,
    cast(area.source_file_name as varchar)      as source_file_name,
    cast(area.source_file_sha256 as varchar)    as source_file_sha256,
    cast(area.source_row as integer)            as source_row
from area
cross join source_info
