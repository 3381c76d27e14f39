"""`python -m pipelines.trajectory`: an alias of `borlange trajectory`, kept because analysts'
scripts call it. The trajectory code lives in pipelines/defs/trajectory/."""
