"""HTML forms of the partners app: GOV.UK-style question pages."""
