-- Every SMHI release the warehouse keeps, per gas, kommun, main sector and year, with the kommun's
-- own 'Alla' total: what the nowcast asset backtests (consecutive releases) and nowcasts (the
-- newest published). Main-sector rows, never subsectors: the nowcast works by main sector. The
-- archived releases (raw.smhi_archived_releases) join the backtest only (`archived`): they are
-- scored against, never nowcast from, and a release also held as published is read as published.
-- A table: the Python asset reads it, also from a copy of the base tables on PostgreSQL.
with

published as (
    select
        gas,
        vintage,
        kommun_kod,
        huvudsektor,
        year,
        tonnes
    from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level = 'kommun' and undersektor = 'Alla'
),

published_releases as (
    select distinct
        gas,
        vintage
    from published
),

main_sector_names as (
    select * from {{ ref('smhi_sector_names') }}
    where level = 'huvudsektor'
),

sub_sector_names as (
    select * from {{ ref('smhi_sector_names') }}
    where level = 'undersektor'
),

archived as (
    select
        archived_rows.gas,
        archived_rows.vintage,
        archived_rows.kommun_kod,
        main.canonical_name as huvudsektor,
        archived_rows.year,
        archived_rows.tonnes
    from {{ ref('stg_smhi__archived_releases') }} as archived_rows
    inner join main_sector_names as main
        on archived_rows.huvudsektor_raw = main.raw_name
    inner join sub_sector_names as sub
        on archived_rows.undersektor_raw = sub.raw_name
    left join published_releases
        on
            archived_rows.gas = published_releases.gas
            and archived_rows.vintage = published_releases.vintage
    where
        archived_rows.geo_level = 'kommun'
        and sub.canonical_name = 'Alla'
        and published_releases.vintage is null
)

select
    gas,
    vintage,
    kommun_kod,
    huvudsektor,
    year,
    tonnes,
    false as archived
from published
union all
select
    gas,
    vintage,
    kommun_kod,
    huvudsektor,
    year,
    tonnes,
    true as archived
from archived
