# scripts/lib.sh - what scripts/run, scripts/test and bench/ share. Source it; needs bash.
# Everything here is idempotent: a second call reuses what the first made.

SIPAS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the build, the server and the tests need.
SIPAS_PACKAGES=(
  build-essential meson ninja-build pkg-config python3
  libmicrohttpd-dev libjansson-dev libgsl-dev libpq-dev libcurl4-openssl-dev
  postgresql-15 postgresql-client-15
)
SIPAS_TEST_PACKAGES=(
  valgrind clang libclang-rt-14-dev chromium chromium-driver python3-selenium
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
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (run as root, or install them)"
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

# Runs a command as the owner of PostgreSQL's files (postgres when we are root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (creating if needed) a private cluster: pg_up DATADIR PORT. Prints nothing; sets
# PG_ADMIN_URL and SIPAS_DATABASE_URL (database sipas, owner sipas).
pg_up() {
  local data=$1 port=$2 sock
  sock="$data/socket"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
    as_pg mkdir -p "$sock"
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" \
      start >/dev/null || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start (port $port busy?)"; }
  fi
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
  [ -f "$1/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}
