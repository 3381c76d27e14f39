-- Partners' own reported emissions (the submission in force per partner and year), with the
-- partner's place in the territorial inventory from the registry seed.
with

emissions as (select * from {{ ref('stg_partners__emissions') }}),

partners as (select * from {{ ref('partners') }})

select
    emissions.partner_id,
    partners.partner_name,
    emissions.reporting_year as year,
    emissions.scope,
    emissions.category,
    emissions.tonnes_co2e,
    't CO2e' as unit,
    emissions.method,
    emissions.inside_territory,
    case when emissions.inside_territory then '{{ var("report_kommun") }}' end
        as territory_kommun_kod,
    partners.smhi_huvudsektor,
    'partner_submission' as source_id,
    emissions.submission_sha256,
    emissions.received_at,
    emissions.source_row
from emissions
inner join partners using (partner_id)
