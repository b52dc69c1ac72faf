# Shared by the scripts: finds the Pythons, keeps the virtual environments in
# step with their requirements, and runs commands in them. Sourced, not run,
# from the repository's root.
#
# Three environments, each installed in one pip call from a requirements file
# whose constraints file freezes every package (no backtracking, the same
# install everywhere):
#   .venv       the oldest end: the test harness with Home Assistant 2025.4.4,
#               python-kasa 0.10.2, Python 3.13 (requirements_test.txt)
#   .venv-next  the newest end: the test harness with Home Assistant 2026.10.4,
#               python-kasa 0.12.0, Python 3.14 (requirements_test_next.txt)
#   .venv-hass  the real Home Assistant 2026.11.0 with its frontend,
#               python-kasa 0.12.0, Python 3.14 (requirements_hass.txt)
#
# Python 3.14 (3.14.2 or newer) is taken from PATH, pyenv or uv. A machine
# without one, if it runs Debian or Ubuntu and we are root, gets one built once
# from Debian's packages (testing, "forky") into a root folder in the user's
# cache; the 3.14 environments then work only inside that root, so every use
# of them goes through in_next below.

VENV=.venv
VENV_NEXT=.venv-next
VENV_HASS=.venv-hass
REPO=$(pwd -P)
CACHE_DIR=${XDG_CACHE_HOME:-${HOME:-~}/.cache}/red-light-doctor
FORKY_ROOT=$CACHE_DIR/forky-root
# What the root holds besides Python: git for pip, iproute2 for the tests'
# loopback, the compilers and headers for a package without a 3.14 wheel
# (pymicro-vad, pyspeex-noise). A root built with fewer gets the rest added.
FORKY_PACKAGES=python3.14,python3.14-venv,python3.14-dev,ca-certificates,git,iproute2,gcc,g++,libc6-dev
FORKY_STAMP=.red-light-doctor-packages # in the root: what it was given

PY314=""      # the 3.14 interpreter, as the commands in_next runs see it
PY314_ROOT="" # the root folder it lives in, or empty when it is the machine's
NEXT_CMD=()   # set by next_command

note() { printf '== %s\n' "$*"; }
fail() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Whether $1 runs a Python at or above $2 and below $3 (versions as 3.14.2).
python_between() { # interpreter low high
  "$1" -c '
import sys
low, high = (tuple(map(int, v.split("."))) for v in sys.argv[1:3])
sys.exit(not low <= sys.version_info[:3] < high)' "$2" "$3" >/dev/null 2>&1
}

# Print the first interpreter in [low, high) on PATH, in pyenv, or through uv.
find_python_between() { # low high
  local low=$1 high=$2 minor=${1%.*} candidate
  local candidates=("python$minor" python3)
  # pyenv's folders are named by version: newest first.
  mapfile -t -O "${#candidates[@]}" candidates < <(
    ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$minor".*/bin/"python$minor" 2>/dev/null | sort -rV
  )
  if command -v uv >/dev/null 2>&1; then
    candidates+=("$(uv python find ">=$low,<$high" 2>/dev/null || true)")
  fi
  for candidate in "${candidates[@]}"; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 &&
      python_between "$candidate" "$low" "$high"; then
      command -v "$candidate"
      return
    fi
  done
  return 1
}

find_python() {
  find_python_between 3.13.0 3.14.0 && return
  echo "Python 3.13 is needed: put python3.13 on PATH or install it with pyenv (pyenv install 3.13)." >&2
  return 1
}

# --- Python 3.14 ---------------------------------------------------------

# Set PY314 (and PY314_ROOT when it is the cached root's), building the root
# if this machine has no Python 3.14.2 or newer.
ensure_python314() {
  [ -z "$PY314" ] || return 0
  if PY314=$(find_python_between 3.14.2 3.15.0); then
    return
  fi
  PY314=""
  if [ ! -d "$FORKY_ROOT" ]; then
    if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
      build_forky_root
    else
      fail "Python 3.14.2 or newer is needed for the newest Home Assistant: put python3.14 on PATH, or install it with pyenv (pyenv install 3.14) or uv (uv python install 3.14). On Debian or Ubuntu as root, the scripts build one themselves."
    fi
  fi
  PY314=/usr/bin/python3.14
  PY314_ROOT=$FORKY_ROOT
  [ "$(cat "$FORKY_ROOT/$FORKY_STAMP" 2>/dev/null)" = "$FORKY_PACKAGES" ] || add_forky_packages
}

# Install in the root what FORKY_PACKAGES names now but it was built without.
add_forky_packages() {
  exec 8>"${FORKY_ROOT%/*}/build.lock"
  flock 8
  if [ "$(cat "$FORKY_ROOT/$FORKY_STAMP" 2>/dev/null)" != "$FORKY_PACKAGES" ]; then
    note "adding to the Python 3.14 root: ${FORKY_PACKAGES//,/ }"
    # The mirror may serve a snapshot whose Release file has expired.
    local apt=(apt-get -qq -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
    in_next "${apt[@]}" update
    # shellcheck disable=SC2046 # one package a word
    in_next "${apt[@]}" install -y --no-install-recommends $(tr , ' ' <<<"$FORKY_PACKAGES") >/dev/null
    echo "$FORKY_PACKAGES" >"$FORKY_ROOT/$FORKY_STAMP"
  fi
  exec 8>&-
}

# The mirror this machine's apt sources name for Debian itself; Debian's own
# where there is none (Ubuntu's archive does not carry Debian's suites).
debian_mirror() {
  local uri
  uri=$(
    {
      grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ for (i = 2; i <= NF; i++) print $i }'
      grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
        sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1 }'
    } | grep -E '^https?://[^ ]*/debian/?$' | head -n 1
  ) || true # no such line, or no such file
  echo "${uri:-http://deb.debian.org/debian}"
}

# Whether anything is mounted at or under a folder (in this mount namespace).
mounted_under() { # folder
  findmnt -rn -o TARGET | awk -v dir="$1" '$0 == dir || index($0, dir "/") == 1' | grep -q .
}

# Debian testing's Python 3.14 in a root folder of its own, built once into a
# sibling folder and renamed into place only when complete, so a killed build
# leaves nothing that a later run would take for a root. debootstrap mounts
# proc and sys inside the folder while it works: run it in a mount namespace
# of its own, so that those mounts vanish with it whatever happens.
build_forky_root() {
  local parent=${FORKY_ROOT%/*} building stale mirror started=$SECONDS
  mkdir -p "$parent"
  # One build at a time; a second run waits and then finds the root built.
  exec 8>"$parent/build.lock"
  flock 8
  if [ -d "$FORKY_ROOT" ]; then
    exec 8>&-
    return
  fi
  for stale in "$parent"/forky-root.building.*; do
    [ -d "$stale" ] || continue
    mounted_under "$stale" && fail "something is mounted under $stale; unmount it, then remove the folder"
    rm -rf "$stale"
  done
  # Debian's keyring too: on Ubuntu, debootstrap has only Ubuntu's.
  if ! command -v debootstrap >/dev/null 2>&1 || [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    note "installing debootstrap (apt-get)"
    apt-get install -y -qq debootstrap debian-archive-keyring >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq debootstrap debian-archive-keyring >/dev/null; }
  fi
  mirror=$(debian_mirror)
  building=$(mktemp -d "$parent/forky-root.building.XXXXXX")
  note "no Python 3.14 here: building one from Debian's packages into $FORKY_ROOT (once; a minute or two)"
  # debootstrap does not know "forky" by name; its sid script fits testing.
  if ! unshare -m -- sh -c 'mount --make-rprivate / && exec "$@"' sh \
    debootstrap --variant=minbase --include="$FORKY_PACKAGES" \
    forky "$building" "$mirror" /usr/share/debootstrap/scripts/sid >"$parent/build.log" 2>&1; then
    tail -n 20 "$parent/build.log" >&2
    fail "debootstrap failed (log: $parent/build.log)"
  fi
  rm -f "$building"/var/cache/apt/archives/*.deb
  echo "$FORKY_PACKAGES" >"$building/$FORKY_STAMP"
  copy_host_settings "$building"
  chroot "$building" /usr/bin/python3.14 -c pass ||
    fail "the root built in $building has no working python3.14"
  mv -T "$building" "$FORKY_ROOT"
  exec 8>&-
  note "Python 3.14 root ready in $((SECONDS - started)) s: $FORKY_ROOT"
}

# What pip needs to reach the package index as it does here: the resolver,
# the CA bundle (which may hold a proxy's certificate) and pip's own settings.
copy_host_settings() { # root
  local file
  for file in /etc/resolv.conf /etc/hosts /etc/ssl/certs/ca-certificates.crt /etc/pip.conf; do
    [ -e "$file" ] || continue
    cmp -s "$file" "$1$file" 2>/dev/null && continue
    mkdir -p "$1${file%/*}"
    cp -L "$file" "$1$file.new" && mv -f "$1$file.new" "$1$file"
  done
}

# Set NEXT_CMD to a command line that runs `command...` with Python 3.14 at
# hand, in the current folder; with --isolated, in a network namespace of its
# own that has only a loopback. On the machine's own 3.14 that is the command
# itself. In the cached root it is: a private mount namespace (whose mounts
# vanish when the command ends), the kernel's proc, dev and sys and the
# clone's parent folder mounted at the same paths inside the root, then chroot.
# Each step execs the next, so the command keeps the process id that
# NEXT_CMD[0] starts with, and a signal to it reaches the command.
next_command() { # [--isolated] command...
  local isolated=""
  if [ "${1:-}" = --isolated ]; then
    isolated=1
    shift
  fi
  ensure_python314
  if [ -z "$PY314_ROOT" ]; then
    if [ -n "$isolated" ]; then
      isolated_command "$@"
    else
      NEXT_CMD=("$@")
    fi
    return
  fi
  copy_host_settings "$PY314_ROOT"
  local parent=${REPO%/*} links=() link
  [ -n "$parent" ] || parent=$REPO # a clone at the top of the file system
  # pip warns at every call about a find-links folder that the root lacks.
  for link in ${PIP_FIND_LINKS:-}; do
    if [[ $link == *://* || -e $PY314_ROOT/$link ]]; then links+=("$link"); fi
  done
  # shellcheck disable=SC2016 # expanded by the inner shell
  NEXT_CMD=(
    "$(command -v unshare)" -m ${isolated:+-n} -- /bin/sh -c '
      set -e
      root=$1 shared=$2 isolated=$3 here=$4
      shift 4
      mount --make-rprivate /
      mount -t proc proc "$root/proc"
      mount --rbind /dev "$root/dev"
      mount --rbind /sys "$root/sys"
      mkdir -p "$root$shared"
      mount --rbind "$shared" "$root$shared"
      if [ -n "$isolated" ]; then ip link set lo up; fi
      exec chroot "$root" /bin/sh -c '\''cd "$0" && exec "$@"'\'' "$here" "$@"
    ' sh "$PY314_ROOT" "$parent" "$isolated" "$(pwd -P)"
  )
  if [ -n "${PIP_FIND_LINKS+set}" ]; then
    NEXT_CMD+=(/usr/bin/env PIP_FIND_LINKS="${links[*]}")
  fi
  NEXT_CMD+=("$@")
}

# Run a command as next_command describes (--isolated for its own network).
in_next() { # [--isolated] command...
  next_command "$@"
  "${NEXT_CMD[@]}"
}

# Set NEXT_CMD to run a command on this machine in a network namespace of its
# own with only a loopback, so that tests broadcasting discovery on
# 127.255.255.255 meet no other simulator's devices (another checkout's
# tests, a scripts/demo). As root with unshare -n; otherwise in a user
# namespace, where the kernel allows one; else as it is, with a warning.
isolated_command() { # command...
  local how=()
  if [ "$(id -u)" = 0 ]; then
    how=(-n)
  elif unshare -rn true 2>/dev/null; then
    how=(-rn)
  else
    echo "${0##*/}: cannot make a network namespace here; the tests share the machine's loopback" >&2
    NEXT_CMD=("$@")
    return
  fi
  # shellcheck disable=SC2016 # expanded by the inner shell
  NEXT_CMD=("$(command -v unshare)" "${how[@]}" -- /bin/sh -c 'ip link set lo up && exec "$@"' sh "$@")
}

isolated() { # command...
  isolated_command "$@"
  "${NEXT_CMD[@]}"
}

# --- Virtual environments ----------------------------------------------------

# Install `requirements` into `venv` with `python` (run through `runner`) when
# the requirements, their constraints or the interpreter changed since the
# last install; a venv made by another interpreter is made afresh.
ensure_venv() { # venv runner python requirements constraints what
  local venv=$1 runner=$2 python=$3 requirements=$4 constraints=$5 what=$6
  local stamp="$venv/.requirements.sha256" wanted started=$SECONDS
  wanted=$(
    cat "$requirements" "$constraints"
    # The 3.14 venvs work only with the interpreter (and root) they were made
    # with; .venv's stamp stays what it has always been.
    [ "$venv" = "$VENV" ] || echo "$python ${PY314_ROOT:-host}"
  )
  wanted=$(sha256sum <<<"$wanted" | cut -d' ' -f1)
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return
  note "installing $what into $venv (a few minutes the first time)"
  if [ ! -f "$venv/pyvenv.cfg" ] || ! $runner "$venv/bin/python" -c pass 2>/dev/null; then
    rm -rf "$venv"
    $runner "$python" -m venv "$venv"
  fi
  $runner "$venv/bin/python" -m pip install --quiet --upgrade pip
  $runner "$venv/bin/python" -m pip install --quiet -r "$requirements"
  echo "$wanted" >"$stamp"
  note "$venv ready in $((SECONDS - started)) s"
}

ensure_test_env() {
  ensure_venv "$VENV" "" "$(find_python)" requirements_test.txt constraints_test.txt \
    "the oldest end's tests (Home Assistant 2025.4.4, python-kasa 0.10.2)"
}

ensure_next_env() {
  ensure_python314
  ensure_venv "$VENV_NEXT" in_next "$PY314" requirements_test_next.txt constraints_test_next.txt \
    "the newest end's tests (Home Assistant 2026.10.4, python-kasa 0.12.0)"
}

ensure_hass_env() {
  ensure_python314
  ensure_venv "$VENV_HASS" in_next "$PY314" requirements_hass.txt constraints_hass.txt \
    "Home Assistant 2026.11.0 with its frontend"
}
