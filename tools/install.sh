#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv.
#
# Idempotent: a stamp file records a hash of the requirement files, so a second
# run with nothing changed returns at once.  Order matters (see README):
# torch first, then mmcv compiled from its PyPI source WITHOUT build isolation
# so that it sees torch and builds its ops.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
stamp="$VENV/.crossdistill-installed"
want=$(cat requirements/*.txt setup.py | sha1sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade "pip<26"
"${pip[@]}" install -r requirements/build.txt
echo "Installing the OpenMMLab stack (the first time compiles mmcv ops: ~15 min on 2 cores)..."
MMCV_WITH_OPS=1 FORCE_CUDA=${FORCE_CUDA:-0} MAX_JOBS=${MAX_JOBS:-2} \
  "${pip[@]}" install --no-build-isolation \
  -r requirements/build.txt -r requirements/mminstall.txt \
  -r requirements/runtime.txt -r requirements/tests.txt
"${pip[@]}" install --no-build-isolation --no-deps -e .
"$VENV/bin/python" -c "import mmcv.ops, mmdet3d, crossdistill; print('crossdistill environment ready')"
echo "$want" > "$stamp"
