-- Warn where SMHI's subsectors differ from their main sector by more than 1 t: the mart
-- carries the gap as a residual row, and this check makes it visible in Dagster.
{{ config(severity='warn', store_failures=true, schema='audit') }}
select vintage, gas, kommun_kod, year, huvudsektor, tonnes as residual_tonnes
from {{ ref('int_smhi__kommun_detail_rows') }}
where is_subsector_residual and abs(tonnes) > 1
