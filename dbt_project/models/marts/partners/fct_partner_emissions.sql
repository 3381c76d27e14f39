-- Partners' own reported emissions (the submission in force per partner and year), with the
-- partner's place in the territorial inventory from the registry seed.
with

emissions as ( select * from {{ ref('stg_partners__emissions') }} ),
partners as ( select * from {{ ref('partners') }} )

select
    cast(emissions.partner_id as varchar)          as partner_id,
    cast(partners.partner_name as varchar)         as partner_name,
    cast(emissions.reporting_year as integer)      as year,
    cast(emissions.scope as integer)               as scope,
    cast(emissions.category as varchar)            as category,
    cast(emissions.tonnes_co2e as double precision) as tonnes_co2e,
    cast('t CO2e' as varchar)                      as unit,
    cast(emissions.method as varchar)              as method,
    cast(emissions.inside_territory as boolean)    as inside_territory,
    cast(case when emissions.inside_territory then '{{ var("report_kommun") }}' end as varchar) as territory_kommun_kod,
    cast(partners.smhi_huvudsektor as varchar)     as smhi_huvudsektor,
    cast('partner_submission' as varchar)          as source_id,
    cast(emissions.submission_sha256 as varchar)   as submission_sha256,
    cast(emissions.received_at as timestamp)       as received_at,
    cast(emissions.source_row as integer)          as source_row
from emissions
inner join partners using (partner_id)
