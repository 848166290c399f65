"""A bare Django + DRF project for bench_web.py: the same Django and DRF as
Backer, nothing else. Its list of 50 rows of one flat table is what Backer's
API list is compared with, in the same run on the same machine."""
