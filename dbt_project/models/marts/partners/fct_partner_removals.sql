-- Carbon removals the partners report, as positive tonnes of CO2 removed; feeds the sinks mart.
with

removals as ( select * from {{ ref('stg_partners__removals') }} ),
partners as ( select * from {{ ref('partners') }} )

select
    cast(removals.partner_id as varchar)            as partner_id,
    cast(removals.reporting_year as integer)        as year,
    cast(case when partners.inside_territory then '{{ var("report_kommun") }}' end as varchar) as kommun_kod,
    cast(removals.removal_type as varchar)          as removal_type,
    cast(removals.tonnes_co2 as double precision)   as tonnes_co2_removed,
    cast(removals.method as varchar)                as method,
    cast(removals.permanence as varchar)            as permanence,
    cast('reported' as varchar)                     as quality_class,
    cast(removals.submission_sha256 as varchar)     as submission_sha256,
    cast(removals.source_row as integer)            as source_row
from removals
inner join partners using (partner_id)
