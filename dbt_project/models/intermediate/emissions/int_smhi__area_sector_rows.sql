-- SMHI's own län and Sweden rows, one per main sector (never the `Alla` aggregate), from the
-- newest vintage that reports each gas and year. SMHI publishes them itself: they are not sums
-- of the kommun rows, and what they hold beyond their parts is SMHI's unallocated part
-- (marts.emissions_area_balance).
with

area_rows as (
    select * from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level in ('lan', 'riket') and huvudsektor <> 'Alla' and undersektor = 'Alla'
),

latest as (
    select
        gas,
        year,
        max(vintage) as vintage
    from area_rows
    group by gas, year
),

latest_release as (
    select
        gas,
        max(vintage) as latest_release_vintage
    from area_rows
    group by gas
)

select
    area_rows.geo_level,
    case area_rows.geo_level when 'riket' then '00' else area_rows.lan_kod end as area_kod,
    area_rows.year,
    area_rows.gas,
    area_rows.vintage,
    area_rows.huvudsektor,
    area_rows.huvudsektor_code,
    area_rows.tonnes,
    area_rows.vintage = latest_release.latest_release_vintage as in_latest_release,
    area_rows.smhi_sub,
    area_rows.source_file_name,
    area_rows.source_file_sha256,
    area_rows.source_row
from area_rows
inner join latest using (gas, year, vintage)
inner join latest_release using (gas)
