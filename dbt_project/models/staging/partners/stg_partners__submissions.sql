-- Every accepted submission, with whether it is the one in force for its partner and year
-- (the newest received; earlier ones stay as history).
with

source as (select * from {{ source('partners', 'partner_submissions') }}),

renamed as (
    select
        cast(sha256 as varchar) as submission_sha256,
        cast(partner_id as varchar) as partner_id,
        cast(reporting_year as integer) as reporting_year,
        cast(file_name as varchar) as file_name,
        cast(received_at as timestamp) as received_at,
        cast(contact_name as varchar) as contact_name,
        cast(contact_email as varchar) as contact_email,
        cast(submitted_date as date) as submitted_date
    from source
)

select
    *,
    row_number()
        over (
            partition by partner_id, reporting_year order by received_at desc, submission_sha256 asc
        )
    = 1
        as is_current
from renamed
