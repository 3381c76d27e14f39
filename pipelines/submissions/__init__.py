"""`python -m pipelines.submissions`: an alias of `borlange partners`, kept because analysts'
scripts call it. The partner code lives in pipelines/defs/partners/ and sources/partner_submissions/."""
