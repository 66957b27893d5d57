# shellcheck shell=bash disable=SC2034  # sourced: the arrays are used by the sourcing scripts
# scripts/lib.sh - what scripts/run, scripts/test and bench/ share. Source it; needs bash.
# Everything here is idempotent: a second call reuses what the first made.

SIPAS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PG_BIN=/usr/lib/postgresql/15/bin

# Where this checkout's PostgreSQL clusters live when we are root: PostgreSQL runs as the
# postgres user, which may not enter the checkout (a clone in /root or in a mktemp -d folder
# is mode 0700), so the clusters go to /var/lib/sipas/<checkout name>-<first 8 hex digits of
# the sha256 of the checkout's absolute path>/ (pg for scripts/run, test-pg for scripts/test).
# One folder per clone: two clones never share a cluster. SIPAS_STATE_DIR overrides it.
_sipas_name=$(basename "$SIPAS_ROOT")
_sipas_name=${_sipas_name//[^A-Za-z0-9._-]/_}
SIPAS_STATE_DIR=${SIPAS_STATE_DIR:-/var/lib/sipas/${_sipas_name:0:40}-$(printf '%s' "$SIPAS_ROOT" | sha256sum | cut -c1-8)}
unset _sipas_name

# Debian packages the build, the server and the tests need.
SIPAS_PACKAGES=(
  build-essential meson ninja-build pkg-config python3
  libmicrohttpd-dev libjansson-dev libgsl-dev libpq-dev libcurl4-openssl-dev libqrencode-dev
  libxlsxwriter-dev libreadstat-dev
  postgresql-15 postgresql-client-15
  zlib1g-dev libzip-dev libexpat1-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
)
SIPAS_TEST_PACKAGES=(
  valgrind clang libclang-rt-14-dev chromium chromium-driver python3-selenium zbar-tools
  python3-openpyxl readstat poppler-utils
)

log() { printf '%s\n' "==> $*" >&2; }
die() { printf '%s\n' "error: $*" >&2; exit 1; }

# Installs the Debian packages that are missing (as root, with apt-get).
install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]}
  run this as root once (it installs them), or have root run: apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install failed"
  # Debian starts a system cluster on install; ours are private, so stop the system one.
  if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
    pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
}

# Configures (once) and builds a meson build folder: build_dir DIR [MESON SETUP OPTIONS]...
build_dir() {
  local dir=$1; shift
  if [ ! -f "$SIPAS_ROOT/$dir/build.ninja" ]; then
    log "configuring $dir"
    meson setup "$SIPAS_ROOT/$dir" "$SIPAS_ROOT" "$@" >/dev/null || die "meson setup $dir failed"
  fi
  log "building $dir"
  ninja -C "$SIPAS_ROOT/$dir" >/dev/null || { ninja -C "$SIPAS_ROOT/$dir"; die "build of $dir failed"; }
}

# Runs a command as the owner of PostgreSQL's files (postgres when we are root). From /, so
# that postgres is not told it cannot enter a private working folder: give absolute paths.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Whether the PostgreSQL server can enter a folder: pg_reachable DIR.
pg_reachable() {
  as_pg test -x "$1" 2>/dev/null
}

# Prints where this checkout's cluster NAME (pg, test-pg, bench-pg) lives, making its parent:
#   - root: $SIPAS_STATE_DIR/NAME, unless var/NAME already holds a cluster that postgres can
#     reach (made before clusters moved out of the checkout): that one is kept and reused;
#   - any other user: var/NAME in the checkout. PostgreSQL then runs as that user, who can
#     reach it (the packages must be installed already).
pg_data_dir() {
  local name=$1 old=$SIPAS_ROOT/var/$1
  if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$SIPAS_ROOT/var"
    printf '%s\n' "$old"
  elif [ -f "$old/PG_VERSION" ] && as_pg test -r "$old/PG_VERSION" 2>/dev/null; then
    log "reusing the cluster in $old (made before clusters moved to $SIPAS_STATE_DIR)"
    printf '%s\n' "$old"
  else
    mkdir -p "$SIPAS_STATE_DIR" || die "cannot make $SIPAS_STATE_DIR"
    chmod 755 "$(dirname "$SIPAS_STATE_DIR")" "$SIPAS_STATE_DIR"
    printf '%s\n' "$SIPAS_ROOT" > "$SIPAS_STATE_DIR/checkout"   # whose folder this is
    printf '%s\n' "$SIPAS_STATE_DIR/$name"
  fi
}

# Starts (creating if needed) a private cluster: pg_up DATADIR PORT (DATADIR absolute; see
# pg_data_dir). Sets PG_ADMIN_URL and SIPAS_DATABASE_URL (database sipas, owner sipas). When
# the cluster already runs, its own port is used (PORT is then ignored).
pg_up() {
  local data=$1 port=$2 sock running
  sock="$data/socket"
  case "$data" in /*) ;; *) die "pg_up: $data is not an absolute path" ;; esac
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed ($PG_BIN); run this as root once"
  if [ "$(id -u)" -eq 0 ] && ! pg_reachable "$(dirname "$data")"; then
    die "the postgres user cannot enter $(dirname "$data") (a private folder, such as /root or a mktemp -d folder?)
  keep the cluster where postgres can reach it, e.g. under $SIPAS_STATE_DIR (see pg_data_dir in scripts/lib.sh)"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
    as_pg mkdir -p "$sock"
  fi
  running=
  if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    running=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)
  fi
  case "$running" in
    ''|*[!0-9]*)
      as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "-p $port -k '$sock' -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" \
        start >/dev/null || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start (port $port busy?)"; } ;;
    *) port=$running ;;
  esac
  PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  if ! psql -qAtX "$PG_ADMIN_URL" -c "SELECT 1 FROM pg_roles WHERE rolname = 'sipas'" | grep -q 1; then
    psql -qX "$PG_ADMIN_URL" -c "CREATE ROLE sipas LOGIN CREATEDB" >/dev/null
  fi
  if ! psql -qAtX "$PG_ADMIN_URL" -c "SELECT 1 FROM pg_database WHERE datname = 'sipas'" | grep -q 1; then
    psql -qX "$PG_ADMIN_URL" -c "CREATE DATABASE sipas OWNER sipas" >/dev/null
  fi
  SIPAS_DATABASE_URL="postgresql://sipas@127.0.0.1:$port/sipas"
  export PG_ADMIN_URL SIPAS_DATABASE_URL
}

# Stops a private cluster if it runs: pg_down DATADIR.
pg_down() {
  if [ -f "$1/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
