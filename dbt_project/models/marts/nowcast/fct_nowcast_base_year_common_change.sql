-- SMHI's newest year (the nowcast's base year) per kommun and main sector, with whether it moved
-- from the year before by its sector's common factor: most likely SMHI's own scaling where it
-- lacked the year's local data (pipelines/defs/nowcast/backtest.py, common_change_cells), so a
-- figure SMHI will probably revise. SMHI's figures themselves stay in fct_emissions.
select
    vintage,
    gas,
    year,
    kommun_kod,
    huvudsektor,
    previous_t,
    tonnes,
    ratio,
    common_factor,
    considered,
    follows_common_factor
from {{ ref('stg_nowcast__base_year_common_change') }}
