-- Who has submitted what, for which year: every partner in the registry for every year from
-- 2020 (or the oldest year reported) to last year (or the newest year reported), with the
-- submission in force and how many versions came in.
with recursive

partners as (
    select
        partner_id,
        partner_name
    from {{ ref('partners') }}
),

submissions as (select * from {{ ref('stg_partners__submissions') }}),

-- The first year to list (2020, or the oldest reported) and the first year after the last one
-- (the current year, or past the newest reported).
year_after as (
    select
        greatest(
            cast(extract(year from current_date) as integer), coalesce(max(reporting_year), 0) + 1
        ) as reporting_year,
        least(2020, coalesce(min(reporting_year), 2020)) as first_year
    from submissions
),

-- first_year, first_year + 1, ... up to the year before year_after (ANSI recursion, no series
-- function).
years (reporting_year) as (
    select year_after.first_year from year_after
    where year_after.first_year < year_after.reporting_year
    union all
    select years.reporting_year + 1
    from years
    cross join year_after
    where years.reporting_year + 1 < year_after.reporting_year
),

per_year as (
    select
        partner_id,
        reporting_year,
        count(*) as submissions_received,
        max(received_at) as latest_received_at,
        max(case when is_current then submission_sha256 end) as current_submission_sha256,
        max(case when is_current then contact_name end) as contact_name
    from submissions
    group by partner_id, reporting_year
)

select
    partners.partner_id,
    partners.partner_name,
    years.reporting_year,
    coalesce(per_year.submissions_received, 0) > 0 as has_submitted,
    cast(coalesce(per_year.submissions_received, 0) as integer) as submissions_received,
    per_year.latest_received_at,
    per_year.current_submission_sha256,
    per_year.contact_name
from partners
cross join years
left join per_year using (partner_id, reporting_year)
