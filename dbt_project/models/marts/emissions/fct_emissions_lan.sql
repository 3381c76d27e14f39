-- Territorial emissions per län, year, main sector and gas: SMHI's own län rows (not our sums
-- of its kommuner), from the newest vintage that reports each year.
with

area as (
    select * from {{ ref('int_smhi__area_sector_rows') }}
    where geo_level = 'lan'
),

lan as (
    select distinct
        lan_kod,
        lan_namn
    from {{ ref('scb_kommuner') }}
),

source_info as (
    select * from {{ ref('data_sources') }}
    where source_id = 'smhi_ned'
)

select
    area.area_kod as lan_kod,
    lan.lan_namn,
    {{ smhi_area_emission_columns('area', 'source_info') }}
from area
inner join lan on area.area_kod = lan.lan_kod
cross join source_info
