-- The climate-investment plan: every action in the partners' submissions in force, with
-- SEK invested per tonne of expected annual reduction. in_current_portfolio marks the actions
-- of each partner's newest reporting year, which make up the portfolio (no double counting
-- of an action reported again in a later year).
with

actions as ( select * from {{ ref('stg_partners__actions') }} ),
newest_year as ( select partner_id, max(reporting_year) as reporting_year from actions group by partner_id )

select
    cast(actions.partner_id as varchar)                    as partner_id,
    cast(actions.reporting_year as integer)                as reporting_year,
    cast(actions.action_id as varchar)                     as action_id,
    cast(actions.title as varchar)                         as title,
    cast(actions.status as varchar)                        as status,
    cast(actions.start_year as integer)                    as start_year,
    cast(actions.investment_sek as double precision)       as investment_sek,
    cast(actions.expected_annual_reduction_t as double precision) as expected_annual_reduction_t,
    cast(actions.realised_reduction_t as double precision) as realised_reduction_t,
    cast(actions.investment_sek / nullif(actions.expected_annual_reduction_t, 0) as double precision)
                                                           as investment_sek_per_annual_tonne,
    newest_year.reporting_year is not null                 as in_current_portfolio,
    cast(actions.submission_sha256 as varchar)             as submission_sha256
from actions
left join newest_year using (partner_id, reporting_year)
