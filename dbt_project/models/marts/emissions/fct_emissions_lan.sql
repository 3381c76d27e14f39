-- Territorial emissions per län, year, main sector and gas: SMHI's own län rows (not our sums
-- of its kommuner), from the newest vintage that reports each year.
with

area as ( select * from {{ ref('int_smhi__area_sector_rows') }} where geo_level = 'lan' ),
lan as ( select distinct lan_kod, lan_namn from {{ ref('scb_kommuner') }} ),
source_info as ( select * from {{ ref('data_sources') }} where source_id = 'smhi_ned' )

select
    cast(area.area_kod as varchar)              as lan_kod,
    cast(lan.lan_namn as varchar)               as lan_namn,
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
inner join lan on lan.lan_kod = area.area_kod
cross join source_info
