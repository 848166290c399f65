"""Writes of the grants app, split by behaviour:

- imports.py: a 360Giving file in, as an import job (partners' ImportJob);
- placement.py: where each grant is, set-based over the whole file;
- organisations.py: recipients as known organisations, and their links to
  registered groups by charity or company number.
"""
