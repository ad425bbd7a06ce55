"""Provisioning: from a roster of people and an org spec to a tenant that matches them.

The input half lives here: `spec` (org.yaml), `roster` (CSV/XLSX/rows), `romanize` (Hangul to
Latin), `emails` (stable address generation) and `validate` (every problem at once). Plan and
apply build on these models.
"""
