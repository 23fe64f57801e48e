#!/usr/bin/env bash
# Entry point of syncline-local/postgres: the part of the official postgres image's
# interface that Syncline uses, on Debian's postgresql-15.
#
#   POSTGRES_PASSWORD (required), POSTGRES_USER (default postgres), POSTGRES_DB (default
#   POSTGRES_USER), PGDATA (default /var/lib/postgresql/data).
#   Command "postgres [-c name=value ...]" or just "-c ..." runs the server in the foreground
#   as user postgres; any other command runs as given.
#
# The first start initialises PGDATA; later starts (docker start) reuse it as it is.
set -Eeuo pipefail

if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi
if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi
shift

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

# PostgreSQL refuses to run as root; setpriv drops to its user and execs.
as_postgres() {
  setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 0700 "$PGDATA"
chmod 2775 /run/postgresql

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
    echo "error: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  chown postgres "$pwfile"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  as_postgres initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8
  rm -f "$pwfile"

  # Any client with a password, also replication connections (physical ones match only
  # the "replication" keyword: https://www.postgresql.org/docs/15/auth-pg-hba-conf.html).
  # md5 also accepts clients that answer SCRAM when the password is stored as SCRAM.
  {
    echo
    echo "host all all all md5"
    echo "host replication all all md5"
  } >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  if [[ "$POSTGRES_DB" != postgres ]]; then
    # Single-user mode: no server, no socket, nothing to stop afterwards.
    printf 'CREATE DATABASE "%s";\n' "${POSTGRES_DB//\"/\"\"}" |
      as_postgres postgres --single -D "$PGDATA" -c listen_addresses='' postgres >/dev/null
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi

# docker stop sends SIGTERM, which PostgreSQL takes as a smart shutdown that waits for every
# client to disconnect. The official image sets STOPSIGNAL SIGINT (fast shutdown), which
# docker commit cannot; this shell turns TERM into INT instead and stays as PID 1.
# Not through as_postgres: a function in the background is a subshell, and $! would be it.
setpriv --reuid=postgres --regid=postgres --init-groups -- postgres -D "$PGDATA" "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT QUIT
set +e
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
exit "$status"
