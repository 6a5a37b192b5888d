"""The portal's own logic, split by concern; the pages in `hub_app.py` and `pages/` draw with it.

Pure modules (no Streamlit; every rule a page relies on can be tested as plain Python):
`labels`, `values`, `urls`, `html`, `search_state`, `reader`, `catalogue`, `runs`.
Streamlit modules: `page` (setup, styles, page paths, errors shown and logged), `hub_cache` (the
shared Hub and the early model load) and `url_state` (widgets kept in the URL).

The index is used only through its public API (`from index import ...`).
"""
