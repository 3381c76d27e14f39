-- How each län's and Sweden's own SMHI row splits into the level below, with the rest named:
-- per area, year, gas and main sector, a 'kommuner' (län) or 'län' (Sweden) row with the sum of
-- the members' rows of the SAME SMHI file, and an 'ej fördelat (unallocated)' row with what SMHI's
-- area row holds beyond them (for Sweden: emissions SMHI allocates to no län, e.g. the gap between
-- Naturvårdsverket's national total and the sum of its map; for a län mostly rounding). The parts
-- add up to the area's total exactly (micro-tonnes, decimal arithmetic).
with

area as (select * from {{ ref('int_smhi__area_sector_rows') }}),

kommun_sums as (
    select
        vintage,
        gas,
        year,
        lan_kod as area_kod,
        huvudsektor,
        sum(cast(tonnes as decimal(38, 6))) as tonnes,
        count(distinct kommun_kod) as members
    from {{ ref('int_smhi__kommun_detail_rows') }}
    group by vintage, gas, year, lan_kod, huvudsektor
),

lan_sums as (
    select
        vintage,
        gas,
        year,
        '00' as area_kod,
        huvudsektor,
        sum(cast(tonnes as decimal(38, 6))) as tonnes,
        count(distinct area_kod) as members
    from area
    where geo_level = 'lan'
    group by vintage, gas, year, huvudsektor
),

member_sums as (
    select
        'lan' as geo_level,
        *
    from kommun_sums
    union all
    select
        'riket' as geo_level,
        *
    from lan_sums
),

joined as (
    select
        area.geo_level,
        area.area_kod,
        area.year,
        area.gas,
        area.vintage,
        area.huvudsektor,
        area.huvudsektor_code,
        area.in_latest_release,
        cast(area.tonnes as decimal(38, 6)) as area_tonnes,
        coalesce(member_sums.tonnes, 0) as member_tonnes,
        coalesce(member_sums.members, 0) as members
    from area
    left join member_sums
        on
            area.geo_level = member_sums.geo_level
            and area.area_kod = member_sums.area_kod
            and area.vintage = member_sums.vintage
            and area.gas = member_sums.gas
            and area.year = member_sums.year
            and area.huvudsektor = member_sums.huvudsektor
),

parts as (
    select
        *,
        case geo_level when 'lan' then 'kommuner' else 'län' end as part,
        member_tonnes as part_tonnes
    from joined
    union all
    select
        *,
        'ej fördelat (unallocated)' as part,
        area_tonnes - member_tonnes as part_tonnes
    from joined
),

names as (
    select distinct
        lan_kod as area_kod,
        lan_namn as area_namn
    from {{ ref('scb_kommuner') }}
    union all
    select
        '00' as area_kod,
        'Sverige' as area_namn
)

select
    parts.geo_level,
    parts.area_kod,
    names.area_namn,
    parts.year,
    parts.gas,
    parts.vintage,
    parts.huvudsektor,
    parts.huvudsektor_code,
    parts.part,
    cast(parts.part_tonnes as double precision) as tonnes,
    cast(parts.area_tonnes as double precision) as area_tonnes,
    cast(
        case parts.part when 'ej fördelat (unallocated)' then null else parts.members end as integer
    ) as members,
    case parts.gas when 'CO2e' then 't CO2e' else 't CO2' end as unit,
    parts.in_latest_release,
    'smhi_ned' as source_id
from parts
inner join names on parts.area_kod = names.area_kod
