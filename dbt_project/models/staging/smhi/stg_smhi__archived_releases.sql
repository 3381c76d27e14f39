-- SMHI releases from an archive (raw.smhi_archived_releases), renamed and typed as the published
-- exports are: read only by the nowcast's backtest (int_nowcast__releases), never by the marts
-- that publish SMHI's figures.
with

archived as (select * from {{ source('smhi', 'smhi_archived_releases') }}),

renamed as (
    select {{ smhi_export_columns() }}
    from archived
)

select * from renamed
