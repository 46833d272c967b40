# The two README commands: `make demo` and `make test`.  Both create or update
# the virtual environment in .venv first (tools/install.sh, idempotent).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test

install:
	bash tools/install.sh

demo: install
	PATH="$(abspath $(VENV))/bin:$$PATH" bash tools/demo.sh

# pytest exits 5 when it collects no test; that is not a failure here.
test: install
	$(PY) -m pytest tests -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi
