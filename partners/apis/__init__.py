"""REST API of the partners app, split by behaviour: groups.py (groups and
their review), activities.py (activities and needs), catalogue.py (themes,
anchors, sites). common.py holds pagination and documented error responses;
filters.py the query parameters."""
