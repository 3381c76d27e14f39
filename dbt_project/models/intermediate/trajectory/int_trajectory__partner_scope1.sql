-- A partner's own scope-1 emissions inside the territory per kommun and year, which a preset with
-- `excludes=<partner>` takes out of its scope (Borlänge's own budget excludes SSAB); the
-- trajectory asset picks its partner with partner_id = lower(<excludes>). No rows until the
-- partner has submitted. Partners report t CO2e; for a steelworks scope 1 is almost all fossil CO2,
-- so the figure stands in for CO2 in a CO2-only scope (`source` says so). One submission is in
-- force per partner and year, so min() names it (portable: Postgres has no any_value).
-- A table: the Python asset reads it, also from a copy of the base tables on PostgreSQL.
select
    partner_id,
    territory_kommun_kod as kommun_kod,
    year,
    sum(tonnes_co2e) as tonnes,
    'partner submission ' || min(submission_sha256) || ' (scope 1 inside the territory, t CO2e)'
        as source
from {{ ref('fct_partner_emissions') }}
where scope = 1 and inside_territory
group by partner_id, territory_kommun_kod, year
