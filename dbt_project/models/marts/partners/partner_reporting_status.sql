-- Who has submitted what, for which year: every partner in the registry for every year from
-- 2020 to last year (or the newest year reported), with the submission in force and how many versions came in.
with

partners as ( select partner_id, partner_name from {{ ref('partners') }} ),
submissions as ( select * from {{ ref('stg_partners__submissions') }} ),
years as (
    select unnest(range(2020, greatest(year(current_date),
                                       (select coalesce(max(reporting_year), 0) + 1 from submissions)))) as reporting_year
),

per_year as (
    select
        partner_id,
        reporting_year,
        count(*)                                                  as submissions_received,
        max(received_at)                                          as latest_received_at,
        any_value(submission_sha256) filter (where is_current)    as current_submission_sha256,
        any_value(contact_name) filter (where is_current)         as contact_name
    from submissions
    group by partner_id, reporting_year
)

select
    cast(partners.partner_id as varchar)                   as partner_id,
    cast(partners.partner_name as varchar)                 as partner_name,
    cast(years.reporting_year as integer)                  as reporting_year,
    coalesce(per_year.submissions_received, 0) > 0         as has_submitted,
    cast(coalesce(per_year.submissions_received, 0) as integer) as submissions_received,
    cast(per_year.latest_received_at as timestamp)         as latest_received_at,
    cast(per_year.current_submission_sha256 as varchar)    as current_submission_sha256,
    cast(per_year.contact_name as varchar)                 as contact_name
from partners
cross join years
left join per_year using (partner_id, reporting_year)
