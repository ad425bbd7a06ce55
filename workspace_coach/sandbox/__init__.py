"""A local Google Workspace that speaks Google's own wire protocol.

The unmodified google-api-python-client, google-auth and gspread talk to it exactly as they talk
to Google: same paths, OAuth token exchange, error envelopes, paging, batch and quotas. Layout
(after moto and fake-gcs-server):

- `app.py`        the WSGI application: auth, quotas, faults, routing, rendering
- `discovery.py`  routes and parameter validation generated from Google's discovery documents
- `errors.py`     Google's error envelope, one constructor per real reason string
- `store.py`      state in SQLite (a file, or `:memory:`), one registry with `reset()`
- `auth.py`       the `/token` JWT-bearer grant and access-token checks
- `realism.py`    latency, injected faults, quotas and eventual consistency (all off by default)
- `batch.py`      the multipart/mixed batch endpoints
- `control.py`    the `/_sandbox/` control API for tests and the CLI
- `tenants.py`    customers, domains, admins and service-account keys
- `resources/`    one module per API resource: the rules of each Google object
"""
