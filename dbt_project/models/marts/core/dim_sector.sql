-- SMHI's sectors under their current names, with stable codes for BI and joins.
select distinct
    level as sector_level,
    canonical_name as sector_name,
    sector_code
from {{ ref('smhi_sector_names') }}
where canonical_name <> 'Alla'
