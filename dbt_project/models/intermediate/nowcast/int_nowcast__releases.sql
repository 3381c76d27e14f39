-- Every SMHI release the warehouse keeps, per gas, kommun, main sector and year, with the kommun's
-- own 'Alla' total: what the nowcast asset backtests (consecutive releases) and nowcasts (the
-- newest). Main-sector rows, never subsectors: the nowcast works by main sector. A table: the
-- Python asset reads it, also from a copy of the base tables on PostgreSQL.
select
    gas,
    vintage,
    kommun_kod,
    huvudsektor,
    year,
    tonnes
from {{ ref('int_smhi__emissions_sector_mapped') }}
where geo_level = 'kommun' and undersektor = 'Alla'
