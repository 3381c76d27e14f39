-- SMHI's sectors under their current names, with stable codes for BI and joins.
select distinct
    cast(level as varchar)          as sector_level,
    cast(canonical_name as varchar) as sector_name,
    cast(sector_code as varchar)    as sector_code
from {{ ref('smhi_sector_names') }}
where canonical_name <> 'Alla'
