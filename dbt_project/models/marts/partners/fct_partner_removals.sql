-- Carbon removals the partners report, as positive tonnes of CO2 removed; feeds the sinks mart.
with

removals as (select * from {{ ref('stg_partners__removals') }}),

partners as (select * from {{ ref('partners') }})

select
    removals.partner_id,
    removals.reporting_year as year,
    case when partners.inside_territory then '{{ var("report_kommun") }}' end as kommun_kod,
    removals.removal_type,
    removals.tonnes_co2 as tonnes_co2_removed,
    removals.method,
    removals.permanence,
    'reported' as quality_class,
    removals.submission_sha256,
    removals.source_row
from removals
inner join partners using (partner_id)
