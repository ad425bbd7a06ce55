"""What a coach needs before, during and after a coaching session, apart from any screen.

- `clients`: the client organisations in the coach's database, registering one from its
  connection profile, and the one-line summary per client the dashboard lists;
- `scores` and `checks`: reading what the audit wrote (`scores`, `check_results`) for one client:
  the newest values with their explanations, trends, the team matrix, what changed since a date;
- `agenda`: a proposed agenda from the biggest gaps and gains, linked to curriculum modules;
- `sessions`: coaching sessions with notes and follow-ups, stored in the coach's database;
- `marks`: curriculum progress per module and team (evidence, marks and overrides), as tables;
- `provisioning`: the latest provisioning plan and apply found next to a client's profile;
- `access`: which coach sees which clients when the dashboard requires signing in.

The Streamlit dashboard (`dashboards/`) calls these through its cached service layer; nothing
here imports Streamlit.
"""
