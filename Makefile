# The two README commands: `make demo` and `make test`.  Both create or update
# the virtual environment in .venv first (tools/install.sh, idempotent).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo example-demo test

install:
	bash tools/install.sh

# The main demo: RadOcc on the synthetic driving world it generates.
demo: install
	PATH="$(abspath $(VENV))/bin:$$PATH" bash projects/RadOcc/tools/demo.sh

# The example distillation (RetinaNet on synthetic shapes).
example-demo: install
	PATH="$(abspath $(VENV))/bin:$$PATH" bash tools/example_demo.sh

# pytest exits 5 when it collects no test; that is not a failure here.
test: install
	$(PY) -m pytest tests -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi
