# Shared by the scripts: finds Python 3.13 and keeps .venv in step with the
# requirements. Sourced, not run.
VENV=.venv
KASA_NEXT=0.12.0
KASA_NEXT_DIR="$VENV/python-kasa-$KASA_NEXT"

find_python() {
  local candidate
  for candidate in python3.13 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  echo "Python 3.13 is needed: put python3.13 on PATH or install it with pyenv (pyenv install 3.13)." >&2
  return 1
}

# Reinstall only when a requirements file changed since the last install.
ensure_test_env() {
  local stamp="$VENV/.requirements.sha256" wanted
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  wanted=$(cat requirements_test.txt constraints_test.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "== installing the test environment (a few minutes the first time)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r requirements_test.txt
    echo "$wanted" > "$stamp"
  fi
  # The newer python-kasa sits beside the pinned one and is put first on the
  # path for the second run; without its speedups extra, whose orjson pin
  # would fight Home Assistant 2025.4's.
  if [ ! -f "$KASA_NEXT_DIR/kasa/__init__.py" ]; then
    "$VENV/bin/python" -m pip install --quiet --no-deps --target "$KASA_NEXT_DIR" "python-kasa==$KASA_NEXT"
  fi
}
