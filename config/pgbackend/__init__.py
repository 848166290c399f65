"""Django's PostgreSQL backend with a health check that costs no round trip
for a connection checked moments ago (base.py)."""
