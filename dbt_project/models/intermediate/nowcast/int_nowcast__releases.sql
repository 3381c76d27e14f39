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

archived_rows as (select * from {{ ref('stg_smhi__archived_releases') }}),

archived_mapped as (
    {{ smhi_sector_mapped('archived_rows') }}
),

archived as (
    select
        archived_mapped.gas,
        archived_mapped.vintage,
        archived_mapped.kommun_kod,
        archived_mapped.huvudsektor,
        archived_mapped.year,
        archived_mapped.tonnes
    from archived_mapped
    left join published_releases
        on
            archived_mapped.gas = published_releases.gas
            and archived_mapped.vintage = published_releases.vintage
    where
        archived_mapped.geo_level = 'kommun'
        and archived_mapped.undersektor = 'Alla'
        and published_releases.vintage is null
)

-- Both sides list the same columns in the same order (no `union by name`: PostgreSQL has none).
select
    *,
    false as archived
from published
union all
select
    *,
    true as archived
from archived
