"""Writes of the matching app, split by behaviour.

resources.py: resources; runs.py: match runs (start, debounce, claim,
execute); engine_inputs.py: rows to engine inputs; review.py: the review
workflow and capacity; connections.py: connections between groups.
"""
