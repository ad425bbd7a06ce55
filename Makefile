# The two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install clean

# Install quietly; show pip's whole log only when it fails.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Workspace Coach into $(VENV) (log: $(VENV)/install.log)"
	@( $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e ".[test]" ) \
		> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(VENV)/bin/workspace-coach demo

# The lint gate first: ruff prints its own findings and a failure stops before pytest starts.
test: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(PY) -m pytest -n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
