# Sourced by tests/run.sh: a throwaway PostgreSQL server for the tests, from Debian's packages.
#
#   start_test_postgres   installs postgresql if missing, initdb's a cluster in a temporary
#                         directory, starts it on 127.0.0.1 and a free port (as the postgres user
#                         when running as root), creates a superuser role for the tests, and
#                         exports GRID_TEST_POSTGRES (a connection string) for dotnet test;
#   stop_test_postgres    stops it and removes the directory.
#
# Also usable by hand:  source tests/postgres.sh; start_test_postgres; ...; stop_test_postgres

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

test_postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

start_test_postgres() {
  if [ -z "$(test_postgres_bin)" ]; then
    echo "installing postgresql (Debian's packages)"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
  fi
  local bin; bin=$(test_postgres_bin)
  [ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }

  GRID_PG_DIR=$(mktemp -d /tmp/grid-test-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb and postgres refuse to run as root: the package's postgres user runs them.
    chown postgres: "$GRID_PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$GRID_PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$GRID_PG_DIR/initdb.log" 2>&1 \
    || { cat "$GRID_PG_DIR/initdb.log" >&2; return 1; }

  # A free port: try a few at random until the server starts on one.
  local port started=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$(( 20000 + RANDOM % 20000 ))
    if "${run[@]}" "$bin/pg_ctl" -D "$GRID_PG_DIR/data" -l "$GRID_PG_DIR/server.log" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$GRID_PG_DIR -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB" \
      >/dev/null 2>&1; then
      started=yes; break
    fi
  done
  [ -n "$started" ] || { cat "$GRID_PG_DIR/server.log" >&2; echo "PostgreSQL did not start" >&2; return 1; }
  GRID_PG_RUN="${run[*]}"
  GRID_PG_BIN=$bin

  local password; password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  "${run[@]}" "$bin/psql" -h "$GRID_PG_DIR" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE grid_test LOGIN SUPERUSER PASSWORD '$password'" >/dev/null
  export GRID_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=grid_test;Password=$password;Database=postgres;Maximum Pool Size=40"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port ($GRID_PG_DIR)"
}

stop_test_postgres() {
  [ -n "${GRID_PG_DIR:-}" ] && [ -d "$GRID_PG_DIR" ] || return 0
  $GRID_PG_RUN "$GRID_PG_BIN/pg_ctl" -D "$GRID_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$GRID_PG_DIR"
  unset GRID_PG_DIR
}
