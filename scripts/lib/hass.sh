# Shared by scripts/develop, scripts/demo, scripts/screenshots and scripts/test:
# a configuration folder for a real Home Assistant, the requirements its
# integrations need, and Home Assistant, the simulator and helpers run as
# child processes that are stopped by their process ids. Sourced, not run,
# from the repository's root after scripts/env.sh.

ROOT=$(pwd -P)
PY="$ROOT/$VENV/bin/python" # the simulator and the helpers run from .venv
HOST=127.0.0.1
RESTART_EXIT_CODE=100 # what hass exits with when a restart is asked from the UI
SCRIPT=${0##*/}

STARTED=()      # process ids of everything started here, for stop_all
declare -A WATCHED=() # process id -> what it is, for watch_processes
HASS_PID=""
HASS_ARGS=()
SLEEP_PID=""
LAST_PID=""

say() { printf '== %s\n' "$*"; }
die() {
  printf '%s: %s\n' "$SCRIPT" "$*" >&2
  exit 1
}

# Which Home Assistant runs: 2026.11.0 from .venv-hass (Python 3.14, see
# env.sh), or with --ha 2025.4 the oldest we support, from .venv.
HA=2026.11
HASS_VENV=""
HASS_CONSTRAINTS=""

# Read the scripts' options: --ha VERSION only.
parse_hass_options() { # arguments...
  while [ $# -gt 0 ]; do
    case $1 in
      --ha)
        [ $# -ge 2 ] || die "--ha needs a version: 2026.11 or 2025.4"
        HA=$2
        shift 2
        ;;
      --ha=*)
        HA=${1#--ha=}
        shift
        ;;
      *) die "unknown argument $1; the only option is --ha 2026.11 (the default) or --ha 2025.4" ;;
    esac
  done
  case $HA in
    2026.11 | 2026.11.0) HA=2026.11.0 HASS_VENV=$VENV_HASS HASS_CONSTRAINTS=constraints_hass.txt ;;
    2025.4 | 2025.4.4) HA=2025.4.4 HASS_VENV=$VENV HASS_CONSTRAINTS=constraints_test.txt ;;
    *) die "Home Assistant $HA is not one the scripts install: --ha 2026.11 or --ha 2025.4" ;;
  esac
}

# Install .venv (the simulator and the helpers) and Home Assistant's venv.
ensure_hass_envs() {
  [ -n "$HASS_VENV" ] || parse_hass_options --ha "$HA"
  ensure_test_env
  [ "$HASS_VENV" = "$VENV" ] || ensure_hass_env
}

# Set NEXT_CMD to run a command of Home Assistant's venv: 2026.11's goes
# through env.sh's next_command, since its Python may live in the cached root.
hass_command() { # command...
  if [ "$HASS_VENV" = "$VENV" ]; then
    NEXT_CMD=("$@")
  else
    next_command "$@"
  fi
}

hass_python() { # arguments...
  hass_command "$ROOT/$HASS_VENV/bin/python" "$@"
  "${NEXT_CMD[@]}"
}

# With --skip-pip Home Assistant installs nothing, so every requirement of the
# integrations a configuration.yaml loads (and of their dependencies, and of
# Red Light Doctor) must already be in its venv: the frontend, mostly, which
# requirements_hass.txt names; for 2025.4 it is installed here.
ensure_hass_requirements() { # configuration.yaml
  local text
  text=$(hass_python scripts/lib/hass_config.py missing "$1")
  if [ -n "$text" ]; then
    local missing
    mapfile -t missing <<<"$text"
    say "installing what Home Assistant's integrations need: ${missing[*]}"
    hass_python -m pip install --quiet -c "$HASS_CONSTRAINTS" "${missing[@]}"
  fi
}

# Link the integration into FOLDER/custom_components; see hass_config.py for
# --port (write configuration.yaml), --discovery (enable loopback) and
# --confirm-http (store the HTTP settings as confirmed).
prepare_hass_config() { # folder [--port N] [--discovery] [--confirm-http]
  hass_python scripts/lib/hass_config.py prepare "$@" || die "cannot prepare $1"
}

listening() { # host port
  "$PY" -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()' "$1" "$2" 2>/dev/null
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
answers() { # url
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
}

# A sleep in the background, so that a signal interrupts the wait at once.
pause() {
  sleep "$1" &
  SLEEP_PID=$!
  wait "$SLEEP_PID" || true
  SLEEP_PID=""
}

# Home Assistant stops at the first SIGINT or SIGTERM but dies at once at the
# second, so a Ctrl-C must reach it only through the trap below: run each child
# in a process group of its own, away from the terminal's Ctrl-C, with SIGINT
# back to its default (background commands ignore it).
OWN_GROUP='import os, signal, sys
os.setpgid(0, 0)
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'

spawn() { # log-file|- command... ; sets LAST_PID
  local log=$1
  shift
  if [ "$log" = - ]; then
    "$PY" -c "$OWN_GROUP" "$@" &
  else
    "$PY" -c "$OWN_GROUP" "$@" >"$log" 2>&1 &
  fi
  LAST_PID=$!
  STARTED+=("$LAST_PID")
}

# watch_processes stops everything when this one exits.
watch() { WATCHED[$1]=$2; } # pid description

# Reap a process that exited, and forget it: its id may be reused.
reap() { # pid ; sets rc
  local pid=$1 kept=() other
  wait "$pid" && rc=0 || rc=$?
  for other in "${STARTED[@]}"; do
    [ "$other" = "$pid" ] || kept+=("$other")
  done
  STARTED=("${kept[@]}")
  unset "WATCHED[$pid]"
}

stop_all() {
  trap - EXIT
  trap '' INT TERM HUP # let the cleanup finish; it gives up after 30 s
  local pid waited=0 running
  for pid in $SLEEP_PID "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  if [ "${#STARTED[@]}" -gt 0 ]; then
    say "stopping what $SCRIPT started (process ids ${STARTED[*]})"
  fi
  # Home Assistant may take a few seconds to write its state.
  while [ "$waited" -lt 60 ]; do
    running=""
    for pid in "${STARTED[@]}"; do
      alive "$pid" && running=1
    done
    [ -n "$running" ] || break
    sleep 0.5
    waited=$((waited + 1))
  done
  for pid in "${STARTED[@]}"; do
    if alive "$pid"; then
      echo "$SCRIPT: process $pid did not stop in 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in $SLEEP_PID "${STARTED[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  STARTED=() SLEEP_PID="" HASS_PID=""
}

stop_all_on_exit() {
  trap 'stop_all; exit 130' INT
  trap 'stop_all; exit 143' TERM
  trap 'stop_all; exit 129' HUP
  trap 'stop_all' EXIT
}

start_simulator() { # log control-port [serve options...]
  local log=$1 port=$2
  shift 2
  listening 127.0.0.1 "$port" && die "something already answers on 127.0.0.1:$port, the simulator's control port (another simulator running?)"
  say "starting the simulated devices (log: ${log#"$ROOT"/})"
  spawn "$log" "$PY" -m simulator serve --control-port "$port" "$@"
  watch "$LAST_PID" "the simulator (log: ${log#"$ROOT"/})"
  local _
  for _ in $(seq 50); do
    alive "$LAST_PID" || break
    "$PY" -m simulator list --control-port "$port" >/dev/null 2>&1 && return 0
    pause 0.2
  done
  cat "$log" >&2
  die "the simulator did not start"
}

start_hass() { # config-folder url [log-file|-]
  HASS_ARGS=("$@")
  local config=$1 url=$2 log=${3:--}
  say "starting Home Assistant $HA (log: ${config#"$ROOT"/}/home-assistant.log)"
  hass_command "$ROOT/$HASS_VENV/bin/hass" -c "$config" --skip-pip
  spawn "$log" "${NEXT_CMD[@]}"
  HASS_PID=$LAST_PID
  # The first start sets up the frontend and may take a minute on a slow machine.
  local waited=0
  until answers "$url/"; do
    alive "$HASS_PID" || return 0
    [ "$waited" -lt 300 ] || die "Home Assistant did not answer on $url within 5 minutes"
    pause 1
    waited=$((waited + 1))
  done
}

# Until interrupted: stop everything if a watched process or Home Assistant
# stops, but restart Home Assistant when its UI asked for a restart.
watch_processes() {
  local pid
  rc=0
  while true; do
    for pid in "${!WATCHED[@]}"; do
      if ! alive "$pid"; then
        local what=${WATCHED[$pid]}
        reap "$pid"
        die "$what stopped (exit code $rc)"
      fi
    done
    if ! alive "$HASS_PID"; then
      reap "$HASS_PID"
      [ "$rc" -eq "$RESTART_EXIT_CODE" ] || die "Home Assistant stopped (exit code $rc); see ${HASS_ARGS[0]#"$ROOT"/}/home-assistant.log"
      start_hass "${HASS_ARGS[@]}"
      alive "$HASS_PID" && say "Home Assistant restarted: ${HASS_ARGS[1]}"
      continue
    fi
    pause 1
  done
}
