"""Open Referral UK 3.0: export of the public directory and import of feeds.

- ids.py: stable UUIDs for our rows (ORUK requires UUID identifiers).
- export.py: selectors and serialisers, model rows -> ORUK dicts.
- views.py, urls.py: the read-only API under /openreferral/.
- importer.py: a council's ORUK feed -> groups and activities.
"""
