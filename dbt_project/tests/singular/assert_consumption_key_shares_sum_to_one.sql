-- The allocation key distributes the whole national figure: each year's shares add up to 1.
select
    year,
    sum(share) as total_share
from {{ ref('int_consumption__allocation_key') }}
group by year
having abs(sum(share) - 1.0) > 1e-9
