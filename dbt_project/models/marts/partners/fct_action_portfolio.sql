-- The climate-investment plan: every action in the partners' submissions in force, with
-- SEK invested per tonne of expected annual reduction. in_current_portfolio marks the actions
-- of each partner's newest reporting year, which make up the portfolio (no double counting
-- of an action reported again in a later year).
with

actions as (select * from {{ ref('stg_partners__actions') }}),

newest_year as (
    select
        partner_id,
        max(reporting_year) as reporting_year
    from actions
    group by partner_id
)

select
    actions.partner_id,
    actions.reporting_year,
    actions.action_id,
    actions.title,
    actions.status,
    actions.start_year,
    actions.investment_sek,
    actions.expected_annual_reduction_t,
    actions.realised_reduction_t,
    actions.investment_sek / nullif(actions.expected_annual_reduction_t, 0)
        as investment_sek_per_annual_tonne,
    newest_year.reporting_year is not null as in_current_portfolio,
    actions.submission_sha256
from actions
left join newest_year using (partner_id, reporting_year)
