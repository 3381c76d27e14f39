-- Sweden by SMHI main sector, gas and year (SCB MI0107, newest fetch of each cell): the nowcast's
-- national indicator, with what each figure is (statistic or a replay's labelled placeholder).
-- A table for the same reason as int_nowcast__releases.
select
    gas,
    huvudsektor,
    year,
    tonnes,
    value_kind,
    provenance_note,
    vintage
from {{ ref('stg_scb__national_sector_emissions') }}
