-- The climate-investment plan (NetZeroCities' Climate Investment Plan): investment per year,
-- action, sector and funding row; the part no funding row covers has funding_source
-- 'ej identifierad'. The gap is what is not secured.
select
    year,
    action_id,
    partner_id,
    responsible_org,
    status,
    smhi_sector,
    gpc_ref,
    payer,
    funding_source,
    secured,
    investment_sek,
    case when secured then investment_sek else 0 end as secured_sek,
    case when secured then 0 else investment_sek end as gap_sek,
    is_synthetic
from {{ ref('stg_plan__investment_plan') }}
