-- Where the numbers come from: publisher, method and licence of every source.
select
    cast(source_id as varchar)   as source_id,
    cast(source_name as varchar) as source_name,
    cast(publisher as varchar)   as publisher,
    cast(method as varchar)      as method,
    cast(url as varchar)         as url,
    cast(licence as varchar)     as licence
from {{ ref('data_sources') }}
