"""The coaching dashboard (Streamlit): `app.py` is the entry point, `views/` one module per page,
`services.py` the cached data layer, `i18n.py` the Korean and English messages.

The page modules are in `views/`, not `pages/`: Streamlit treats a `pages/` folder beside the
entry point as a legacy multipage app and would run those files as scripts of their own.
"""
