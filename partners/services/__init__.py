"""Writes on groups, activities, needs and anchors, split by behaviour:
registration.py, review.py, imports.py, ..."""
