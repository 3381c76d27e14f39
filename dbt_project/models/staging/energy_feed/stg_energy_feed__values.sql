-- Every reported value, with whether it is in force: for each network and month, the values of
-- the newest accepted file that reports that network and month (a corrected resubmission
-- replaces the earlier file's month; the earlier rows stay, is_current = false, as history).
with

reported as (select * from {{ source('energy_feed', 'energy_feed_values') }}),

reports as (select * from {{ ref('stg_energy_feed__reports') }}),

file_months as (
    select distinct
        reported.sha256,
        reported.network,
        reported.month,
        reports.load_seq
    from reported
    inner join reports on reported.sha256 = reports.report_sha256
),

ranked as (
    select
        sha256,
        network,
        month,
        row_number() over (partition by network, month order by load_seq desc) = 1 as is_current
    from file_months
)

select
    cast(reported.network as varchar) as network_id,
    cast(reported.month as date) as month,
    cast(extract(year from reported.month) as integer) as year,
    cast(reported.measure as varchar) as measure,
    cast(reported.category as varchar) as category,
    cast(reported.unit as varchar) as unit,
    cast(reported.value as double precision) as value,
    cast(reported.sha256 as varchar) as report_sha256,
    reports.file_name,
    reports.load_seq,
    reports.received_at,
    reports.is_synthetic,
    cast(reported.source_row as integer) as source_row,
    cast(reported.source_column as varchar) as source_column,
    ranked.is_current
from reported
inner join ranked
    on
        reported.sha256 = ranked.sha256
        and reported.network = ranked.network
        and reported.month = ranked.month
inner join reports on reported.sha256 = reports.report_sha256
