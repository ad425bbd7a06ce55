"""The one-command demo (`workspace-coach demo`, `make demo`) on the local sandbox.

Three client organisations a coach looks after (`clients.py`), each provisioned from
`examples/`, coached twice and simulated over 120 days, then collected into the coach's
database. `run.run_demo` strings the steps (`steps.py`) together and `summary.py` prints where
each client stands. Every step reuses what exists, so a second run is quick.
"""
