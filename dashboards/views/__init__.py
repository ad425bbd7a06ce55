"""One module per dashboard page, each with a `render()` the entry point hands to `st.Page`."""
