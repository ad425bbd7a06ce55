"""The one way Workspace Coach talks to Google: connection profiles, clients, retries, limits, batches.

Nothing here knows whether the endpoint is Google or the local sandbox; only the profile differs.
"""
