#!/usr/bin/env bash
# Local infrastructure for Go Coffee development and tests (no Docker needed):
# PostgreSQL 15 and RabbitMQ (with management + prometheus plugins), both bound
# to 127.0.0.1 only.
#
#   scripts/infra.sh up       install (if missing), start (or reuse) and provision both
#   scripts/infra.sh status   one line per service; exit code 1 if either is down
#   scripts/infra.sh down     stop the servers that this script started (never others)
#
# Connection details (defaults):
#   PostgreSQL  Host=127.0.0.1;Port=5432;Database=gocoffee;Username=gocoffee;Password=gocoffee
#               (role has LOGIN + CREATEDB, so tests may create their own databases)
#   RabbitMQ    amqp://gocoffee:gocoffee@127.0.0.1:5672/   (administrator, full rights on vhost /: operators, tests)
#               management http://127.0.0.1:15672  prometheus http://127.0.0.1:15692/metrics
#               one user per platform process (gocoffee-tenant, gocoffee-gateway, ...): no tags, the permissions of
#               scripts/broker-permissions.tsv on vhost /, a generated password kept (never printed) in
#               $GOCOFFEE_DATA_ROOT/secrets/rabbitmq-<service>.password (mode 600), and as $GOCOFFEE_DATA_ROOT/secrets/tye/<service>.env for tye.yaml; the app host reads them
#
# Environment overrides:
#   GOCOFFEE_DATA_ROOT            state root (pid/marker files, logs, RabbitMQ data) [/var/lib/gocoffee]
#   GOCOFFEE_PG_DATA              PostgreSQL data directory                [$GOCOFFEE_DATA_ROOT/pg15]
#   GOCOFFEE_PG_PORT              PostgreSQL port                          [5432]
#   GOCOFFEE_RABBITMQ_PORT        AMQP port                                [5672]
#   GOCOFFEE_RABBITMQ_MGMT_PORT   management HTTP port                     [15672]
#   GOCOFFEE_RABBITMQ_PROM_PORT   prometheus HTTP port                     [15692]
#   GOCOFFEE_INFRA_TIMEOUT        seconds to wait for a server to come up  [120]
#
# Must run as root (installs packages, switches to the postgres / rabbitmq users).
set -euo pipefail

DATA_ROOT="${GOCOFFEE_DATA_ROOT:-/var/lib/gocoffee}"
PG_DATA="${GOCOFFEE_PG_DATA:-$DATA_ROOT/pg15}"
PG_PORT="${GOCOFFEE_PG_PORT:-5432}"
RMQ_PORT="${GOCOFFEE_RABBITMQ_PORT:-5672}"
RMQ_MGMT_PORT="${GOCOFFEE_RABBITMQ_MGMT_PORT:-15672}"
RMQ_PROM_PORT="${GOCOFFEE_RABBITMQ_PROM_PORT:-15692}"
TIMEOUT="${GOCOFFEE_INFRA_TIMEOUT:-120}"

LOG_DIR="$DATA_ROOT/logs"
RUN_DIR="$DATA_ROOT/run"
PG_LOG="$LOG_DIR/postgresql.log"
PG_MARKER="$RUN_DIR/postgresql.started-by-infra"
PG_BIN=/usr/lib/postgresql/15/bin
PG_SOCKET_DIR=/var/run/postgresql

RMQ_BASE="$DATA_ROOT/rabbitmq"
RMQ_MNESIA_BASE="$RMQ_BASE/mnesia"
RMQ_LOG_DIR="$LOG_DIR/rabbitmq"
RMQ_PID_FILE="$RUN_DIR/rabbitmq/rabbitmq.pid"
RMQ_MARKER="$RUN_DIR/rabbitmq.started-by-infra"
RMQ_NODENAME="rabbit@localhost"
RMQ_ETC=/etc/rabbitmq
RMQ_LIBBIN=/usr/lib/rabbitmq/bin
RMQ_HOME=/var/lib/rabbitmq

APP_USER=gocoffee
APP_PASS=gocoffee
APP_DB=gocoffee

# ---------------------------------------------------------------- helpers ---
log()  { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die()  { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (needs apt-get and runuser); try: sudo $0 $*"
}

# Run a command as the postgres OS user from a directory it can read.
# fd 9 is the infra.sh lock: never let it leak into (long-lived) children.
as_postgres() { (cd / && runuser -u postgres -- "$@" 9>&-); }
# Run a RabbitMQ CLI tool as the rabbitmq OS user (so it uses the same Erlang
# cookie, $RMQ_HOME/.erlang.cookie, as the server) - this is what the Debian
# /usr/sbin wrappers do too, except rabbitmq-plugins which they run as root.
as_rabbitmq() { (cd "$RMQ_HOME" && runuser -u rabbitmq -- env HOME="$RMQ_HOME" "$@" 9>&-); }
rmqctl() { as_rabbitmq "$RMQ_LIBBIN/rabbitmqctl" "$@"; }

# Is anything listening on TCP port $1 (any local address)?
port_listening() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }
# "name(pid=N)" of the processes listening on TCP port $1.
port_owner() {
  local line owners
  line=$(ss -Hltnp "sport = :$1" 2>/dev/null || true)
  owners=$(grep -o '"[^"]*",pid=[0-9]*' <<<"$line" | sed -E 's/"([^"]*)",pid=([0-9]+)/\1(pid=\2)/' | sort -u | paste -sd, - || true)
  printf '%s' "${owners:-unknown process}"
}
port_pids() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true; }
# Is process $2 among the listeners of TCP port $1?
port_has_pid() { [[ -n $2 ]] && port_pids "$1" | grep -x -- "$2" >/dev/null; }
port_busy_msg() {
  printf 'port %s is already in use by %s, which is not the expected %s.\n  ss -ltnp: %s\n  Stop that process or choose another port (%s).' \
    "$1" "$(port_owner "$1")" "$2" "$(ss -Hltnp "sport = :$1" 2>/dev/null | tr -s ' ' | paste -sd';' -)" "$3"
}

# Is process $1 alive (and not a zombie - PID 1 here may reap late)?
pid_alive() {
  [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

# Write $2 to file $1 only if the content differs; returns 0 if it changed.
# With CHECK_ONLY=1 nothing is written (only the return code is computed).
write_if_changed() {
  local file=$1 content=$2
  if [[ -f $file ]] && [[ "$(cat "$file")" == "$content" ]]; then return 1; fi
  [[ ${CHECK_ONLY:-0} == 1 ]] || printf '%s\n' "$content" >"$file"
  return 0
}

apt_install() {
  # Install packages non-interactively. Services must not be auto-started by
  # the package scripts (we start them ourselves, with our config): if the
  # machine has no /usr/sbin/policy-rc.d, use a temporary "deny" one.
  local temp_policy=0 rc=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, created by gocoffee scripts/infra.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    temp_policy=1
    trap 'grep -q "gocoffee scripts/infra.sh" /usr/sbin/policy-rc.d 2>/dev/null && rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 install "$@")
  log "installing: $* (apt-get install)"
  if ! "${apt[@]}"; then
    log "apt-get install failed; running apt-get update and retrying"
    env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update || rc=$?
    [[ $rc -eq 0 ]] && { "${apt[@]}" || rc=$?; }
  fi
  if [[ $temp_policy -eq 1 ]] && grep -q 'gocoffee scripts/infra.sh' /usr/sbin/policy-rc.d 2>/dev/null; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  [[ $rc -eq 0 ]] || die "apt-get install $* failed (exit $rc)"
}

ensure_dirs() {
  mkdir -p "$DATA_ROOT" "$LOG_DIR" "$RUN_DIR"
  chmod 755 "$DATA_ROOT" "$LOG_DIR" "$RUN_DIR"
}

# ------------------------------------------------------------ PostgreSQL ---
pg_installed() { [[ -x $PG_BIN/postgres && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/psql && -x $PG_BIN/pg_isready ]]; }

pg_isready_port() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 3; }

# Can the app role log in to the app database (and does it have CREATEDB)?
pg_app_ok() {
  local out
  out=$(PGPASSWORD=$APP_PASS PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -qAt -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" -d "$APP_DB" \
        -c "select rolcreatedb from pg_roles where rolname = current_user" 2>/dev/null) || return 1
  [[ $out == t ]]
}

# pid of the postmaster of our data directory, if it is running.
pg_our_pid() {
  local pid
  [[ -f $PG_DATA/postmaster.pid ]] || return 1
  pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
  pid_alive "$pid" && echo "$pid"
}

pg_check_data_dir_access() {
  # The postgres user must be able to traverse every parent of the data dir.
  local parent
  parent=$(dirname "$PG_DATA")
  mkdir -p "$parent"
  if ! as_postgres test -x "$parent" -a -r "$parent"; then
    die "the postgres user cannot enter $parent (parent of GOCOFFEE_PG_DATA=$PG_DATA); put the data directory somewhere world-traversable, e.g. the default $DATA_ROOT/pg15"
  fi
}

pg_init() {
  pg_check_data_dir_access
  mkdir -p "$PG_DATA"
  chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    [[ -z $(ls -A "$PG_DATA") ]] || die "$PG_DATA is not empty but is not a PostgreSQL data directory; refusing to touch it"
    log "postgresql: initializing new cluster in $PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >"$LOG_DIR/postgresql-initdb.log" 2>&1 \
      || die "initdb failed, see $LOG_DIR/postgresql-initdb.log"
  fi
  # Our settings live in an included file so they can be re-applied idempotently.
  if ! grep -q "^include_if_exists = 'gocoffee.conf'" "$PG_DATA/postgresql.conf"; then
    printf "\n# settings managed by gocoffee scripts/infra.sh\ninclude_if_exists = 'gocoffee.conf'\n" >>"$PG_DATA/postgresql.conf"
  fi
  if write_if_changed "$PG_DATA/gocoffee.conf" "# managed by gocoffee scripts/infra.sh - rewritten on every 'up'
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
logging_collector = off
log_timezone = 'UTC'
timezone = 'UTC'"; then
    chown postgres:postgres "$PG_DATA/gocoffee.conf"
  fi
}

pg_start() {
  pg_init
  mkdir -p "$PG_SOCKET_DIR"; chown postgres:postgres "$PG_SOCKET_DIR"; chmod 2775 "$PG_SOCKET_DIR"
  touch "$PG_LOG"; chown postgres:postgres "$PG_LOG"
  log "postgresql: starting on 127.0.0.1:$PG_PORT (data $PG_DATA, log $PG_LOG)"
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" -o "-p $PG_PORT" start >/dev/null 9>&-; then
    tail -n 20 "$PG_LOG" >&2 || true
    die "postgresql failed to start, see $PG_LOG"
  fi
  local pid
  pid=$(pg_our_pid) || die "postgresql started but no postmaster.pid in $PG_DATA"
  printf 'pid=%s\ndata=%s\nport=%s\n' "$pid" "$PG_DATA" "$PG_PORT" >"$PG_MARKER"
}

# Create/repair role + database using a superuser connection. Tries our own
# socket dir and the usual Debian one, authenticating as OS user postgres (peer).
pg_provision() {
  local sql
  sql="DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_USER') THEN
    CREATE ROLE $APP_USER LOGIN CREATEDB PASSWORD '$APP_PASS';
  ELSE
    ALTER ROLE $APP_USER LOGIN CREATEDB PASSWORD '$APP_PASS';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$APP_DB')\\gexec
ALTER DATABASE $APP_DB OWNER TO $APP_USER;
GRANT pg_signal_backend TO $APP_USER;"
  local dir
  for dir in "$PG_SOCKET_DIR" /tmp; do
    [[ -S $dir/.s.PGSQL.$PG_PORT ]] || continue
    if as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PG_PORT" -U postgres -d postgres <<<"$sql" >/dev/null; then
      log "postgresql: ensured role '$APP_USER' (LOGIN CREATEDB) and database '$APP_DB'"
      return 0
    fi
  done
  return 1
}

pg_up() {
  pg_installed || apt_install postgresql-15 postgresql-client-15
  pg_installed || die "PostgreSQL 15 binaries not found in $PG_BIN after install"

  local how
  if port_listening "$PG_PORT"; then
    if ! pg_isready_port; then
      # pg_isready exit 1 = PostgreSQL that is starting up / shutting down
      local rc=0; "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 3 || rc=$?
      if [[ $rc -ne 1 ]]; then die "$(port_busy_msg "$PG_PORT" PostgreSQL GOCOFFEE_PG_PORT)"; fi
      log "postgresql: a server on port $PG_PORT is starting/stopping; waiting"
    fi
    local ourpid=""; ourpid=$(pg_our_pid || true)
    if port_has_pid "$PG_PORT" "$ourpid"; then
      how="already running from $PG_DATA (pid $ourpid) - reused"
    else
      how="reusing existing PostgreSQL on port $PG_PORT: $(port_owner "$PG_PORT")"
    fi
  else
    local ourpid=""; ourpid=$(pg_our_pid || true)
    if [[ -n $ourpid ]]; then
      die "PostgreSQL from $PG_DATA is running (pid $ourpid) but not listening on 127.0.0.1:$PG_PORT; stop it ('$0 down') or set GOCOFFEE_PG_PORT to its port"
    fi
    pg_start
    how="started by infra.sh (pid $(pg_our_pid || echo '?'))"
  fi

  pg_wait
  if ! pg_app_ok; then
    pg_provision || die "PostgreSQL on port $PG_PORT ($(port_owner "$PG_PORT")) is up, but role '$APP_USER' cannot log in to database '$APP_DB' and infra.sh could not connect as superuser 'postgres' via a unix socket to create them. Create them manually (CREATE ROLE $APP_USER LOGIN CREATEDB PASSWORD '$APP_PASS'; CREATE DATABASE $APP_DB OWNER $APP_USER;) or stop that server."
    pg_app_ok || die "role '$APP_USER' still cannot log in over TCP to 127.0.0.1:$PG_PORT/$APP_DB (check pg_hba.conf of that server allows scram-sha-256/md5 for 127.0.0.1)"
  fi
  log "postgresql: $how"
}

pg_wait() {
  local deadline=$((SECONDS + TIMEOUT))
  until pg_isready_port; do
    (( SECONDS < deadline )) || die "postgresql on 127.0.0.1:$PG_PORT not ready after ${TIMEOUT}s (log: $PG_LOG)"
    sleep 0.5
  done
}

pg_status_line() {
  if pg_isready_port && pg_app_ok; then
    local ver who ourpid=""
    ver=$(PGPASSWORD=$APP_PASS "$PG_BIN/psql" -X -qAt -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" -d "$APP_DB" -c 'show server_version' 2>/dev/null || echo '?')
    ourpid=$(pg_our_pid || true)
    if port_has_pid "$PG_PORT" "$ourpid"; then
      who="pid $ourpid, data $PG_DATA"
      [[ -f $PG_MARKER ]] && grep -qx "pid=$ourpid" "$PG_MARKER" && who+=", started by infra.sh"
    else
      who="external server: $(port_owner "$PG_PORT")"
    fi
    echo "postgresql: UP   127.0.0.1:$PG_PORT  PostgreSQL $ver ($who)  Host=127.0.0.1;Port=$PG_PORT;Database=$APP_DB;Username=$APP_USER;Password=$APP_PASS"
    return 0
  elif pg_isready_port; then
    echo "postgresql: DEGRADED 127.0.0.1:$PG_PORT accepts connections but role '$APP_USER' cannot log in to '$APP_DB' (run: $0 up)"
    return 1
  else
    echo "postgresql: DOWN 127.0.0.1:$PG_PORT not accepting connections${PG_LOG:+ (log: $PG_LOG)}"
    return 1
  fi
}

pg_down() {
  local ourpid="" marker_pid=""
  ourpid=$(pg_our_pid || true)
  [[ -f $PG_MARKER ]] && marker_pid=$(sed -n 's/^pid=//p' "$PG_MARKER")
  if [[ -n $ourpid && $ourpid == "$marker_pid" ]]; then
    log "postgresql: stopping (pid $ourpid, data $PG_DATA)"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$TIMEOUT" stop >/dev/null || die "pg_ctl stop failed"
    rm -f "$PG_MARKER"
    log "postgresql: stopped"
  elif [[ -n $ourpid ]]; then
    log "postgresql: running from $PG_DATA (pid $ourpid) but not started by infra.sh - leaving it alone"
  else
    rm -f "$PG_MARKER"
    if port_listening "$PG_PORT"; then
      log "postgresql: port $PG_PORT is served by $(port_owner "$PG_PORT"), not started by infra.sh - leaving it alone"
    else
      log "postgresql: not running"
    fi
  fi
}

# -------------------------------------------------------------- RabbitMQ ---
rmq_installed() { [[ -x $RMQ_LIBBIN/rabbitmq-server && -x $RMQ_LIBBIN/rabbitmqctl ]] && getent passwd rabbitmq >/dev/null; }

rmq_api() { # GET management API path $1 as the app user; prints body
  curl -fsS --max-time 5 -u "$APP_USER:$APP_PASS" "http://127.0.0.1:$RMQ_MGMT_PORT/api/$1" 2>/dev/null
}
rmq_amqp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$RMQ_PORT") 2>/dev/null; }
rmq_prom_ok() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$RMQ_PROM_PORT/metrics" 2>/dev/null; }

# App user exists with administrator tag and full permissions on "/"?
rmq_app_ok() {
  local who perms
  who=$(rmq_api whoami) || return 1
  grep -q '"administrator"' <<<"$who" || return 1
  perms=$(rmq_api "permissions/%2F/$APP_USER") || return 1
  grep -q '"configure":"\.\*"' <<<"$perms" && grep -q '"write":"\.\*"' <<<"$perms" && grep -q '"read":"\.\*"' <<<"$perms"
}
# Does the broker behind the management API own the AMQP listener on $RMQ_PORT?
rmq_amqp_is_ours() {
  local overview
  overview=$(rmq_api overview) || return 1
  grep -Eq "\"protocol\":\"amqp\",\"ip_address\":\"[^\"]*\",\"port\":${RMQ_PORT}[,}]" <<<"$overview"
}
rmq_healthy() { rmq_amqp_open && rmq_app_ok && rmq_amqp_is_ours && rmq_prom_ok; }

rmq_our_pid() {
  local pid
  [[ -f $RMQ_PID_FILE ]] || return 1
  pid=$(tr -dc '0-9' <"$RMQ_PID_FILE")
  pid_alive "$pid" && echo "$pid"
}

rmq_write_config() {
  # System-wide config so that rabbitmqctl & co. used by anyone on this machine
  # find the same node (rabbit@localhost). Existing foreign files are backed up.
  # Returns 0 if something changed (or, with CHECK_ONLY=1, would change).
  mkdir -p "$RMQ_ETC"
  local f
  [[ ${CHECK_ONLY:-0} == 1 ]] || for f in rabbitmq.conf rabbitmq-env.conf enabled_plugins; do
    if [[ -s $RMQ_ETC/$f ]] && ! grep -q 'gocoffee scripts/infra.sh' "$RMQ_ETC/$f" && [[ ! -e $RMQ_ETC/$f.pre-gocoffee ]] \
       && ! cmp -s "$RMQ_ETC/$f" "/usr/share/rabbitmq/$f"; then   # skip the package's all-comments default
      cp -a "$RMQ_ETC/$f" "$RMQ_ETC/$f.pre-gocoffee"
      log "rabbitmq: backed up existing $RMQ_ETC/$f to $f.pre-gocoffee"
    fi
  done
  local changed=0
  write_if_changed "$RMQ_ETC/rabbitmq-env.conf" "# managed by gocoffee scripts/infra.sh - rewritten on every 'up'
# Fixed node name on localhost: independent of the container hostname.
NODENAME=$RMQ_NODENAME
MNESIA_BASE=$RMQ_MNESIA_BASE
LOG_BASE=$RMQ_LOG_DIR
PID_FILE=$RMQ_PID_FILE
# Erlang distribution (used by rabbitmqctl) and epmd on loopback only.
SERVER_ADDITIONAL_ERL_ARGS=\"-kernel inet_dist_use_interface {127,0,0,1}\"
export ERL_EPMD_ADDRESS=127.0.0.1" && changed=1
  write_if_changed "$RMQ_ETC/rabbitmq.conf" "# managed by gocoffee scripts/infra.sh - rewritten on every 'up'
listeners.tcp.default = 127.0.0.1:$RMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RMQ_MGMT_PORT
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $RMQ_PROM_PORT
loopback_users.guest = true
log.file.level = info
log.console = false" && changed=1
  # enabled_plugins is an Erlang term file; a '%' comment is allowed.
  write_if_changed "$RMQ_ETC/enabled_plugins" "% managed by gocoffee scripts/infra.sh
[rabbitmq_management,rabbitmq_prometheus]." && changed=1
  [[ ${CHECK_ONLY:-0} == 1 ]] || chown -R rabbitmq:rabbitmq "$RMQ_ETC"
  return $((1 - changed))
}

rmq_start() {
  mkdir -p "$RMQ_MNESIA_BASE" "$RMQ_LOG_DIR" "$(dirname "$RMQ_PID_FILE")"
  chown rabbitmq:rabbitmq "$RMQ_BASE" "$RMQ_MNESIA_BASE" "$RMQ_LOG_DIR" "$(dirname "$RMQ_PID_FILE")"
  chmod 750 "$RMQ_MNESIA_BASE"
  rm -f "$RMQ_PID_FILE"
  # The Debian /usr/sbin/rabbitmq-server wrapper would 'su rabbitmq' anyway;
  # we call the real script as the rabbitmq user, in the foreground, detached
  # from this shell with setsid (no systemd / init needed).
  log "rabbitmq: starting node $RMQ_NODENAME (AMQP 127.0.0.1:$RMQ_PORT, mgmt :$RMQ_MGMT_PORT, prometheus :$RMQ_PROM_PORT, logs $RMQ_LOG_DIR)"
  (cd "$RMQ_HOME" && exec setsid runuser -u rabbitmq -- env HOME="$RMQ_HOME" "$RMQ_LIBBIN/rabbitmq-server") \
    </dev/null >>"$RMQ_LOG_DIR/startup.log" 2>&1 9>&- &
  local launcher=$! deadline=$((SECONDS + TIMEOUT))
  until [[ -s $RMQ_PID_FILE ]] && rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; do
    if ! pid_alive "$launcher"; then
      tail -n 30 "$RMQ_LOG_DIR/startup.log" >&2 || true
      die "rabbitmq-server exited during startup, see $RMQ_LOG_DIR/startup.log and $RMQ_LOG_DIR/$RMQ_NODENAME.log"
    fi
    (( SECONDS < deadline )) || die "rabbitmq did not start within ${TIMEOUT}s, see $RMQ_LOG_DIR/"
    sleep 1
  done
  local pid
  pid=$(rmq_our_pid) || die "rabbitmq started but pid file $RMQ_PID_FILE is missing"
  printf 'pid=%s\nnode=%s\nport=%s\n' "$pid" "$RMQ_NODENAME" "$RMQ_PORT" >"$RMQ_MARKER"
}

rmq_provision() {
  # Plugins (a reused node may not have them yet; no-op if already enabled).
  if ! curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$RMQ_MGMT_PORT/" 2>/dev/null || ! rmq_prom_ok; then
    log "rabbitmq: enabling plugins rabbitmq_management rabbitmq_prometheus"
    as_rabbitmq "$RMQ_LIBBIN/rabbitmq-plugins" -q enable rabbitmq_management rabbitmq_prometheus >/dev/null
  fi
  if ! rmq_app_ok; then
    if rmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -x -- "$APP_USER" >/dev/null; then
      rmqctl -q change_password "$APP_USER" "$APP_PASS" >/dev/null
    else
      rmqctl -q add_user "$APP_USER" "$APP_PASS" >/dev/null
    fi
    # permissions first: clients may already be connecting with these credentials
    rmqctl -q set_permissions -p / "$APP_USER" '.*' '.*' '.*' >/dev/null
    rmqctl -q set_user_tags "$APP_USER" administrator >/dev/null
    log "rabbitmq: ensured user '$APP_USER' (administrator, full permissions on vhost /)"
  fi
}

SECRETS_DIR="$DATA_ROOT/secrets"
RMQ_PERMISSIONS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/broker-permissions.tsv"

# JSON string body of $1 (backslashes and quotes escaped).
json_string() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }
# PUT management API path $1 with the JSON body on stdin, as the app user (the body never shows in a process list).
rmq_api_put() {
  curl -fsS --max-time 10 -o /dev/null -u "$APP_USER:$APP_PASS" -X PUT -H 'content-type: application/json' \
    --data-binary @- "http://127.0.0.1:$RMQ_MGMT_PORT/api/$1"
}

# One broker user per platform process, with exactly the permissions of broker-permissions.tsv (idempotent: a
# password once generated is kept; users, tags and permissions are set again on every 'up').
rmq_provision_services() {
  [[ -f $RMQ_PERMISSIONS ]] || die "rabbitmq: $RMQ_PERMISSIONS not found"
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  local service configure write read user file password names=()
  while IFS=$'\t' read -r service configure write read; do
    [[ -z $service || $service == \#* ]] && continue
    user="gocoffee-$service"
    file="$SECRETS_DIR/rabbitmq-$service.password"
    if [[ ! -s $file ]]; then
      (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.tmp" && mv "$file.tmp" "$file")
    fi
    chmod 600 "$file"
    password=$(<"$file")
    # The same login as an env file for Tye (tye.yaml's env_file), which cannot read the password file itself.
    mkdir -p "$SECRETS_DIR/tye"
    (umask 077 && printf 'ConnectionStrings__RabbitMq=amqp://%s:%s@127.0.0.1:%s/\n' "$user" "$password" "$RMQ_PORT" >"$SECRETS_DIR/tye/$service.env")
    printf '{"password":%s,"tags":""}' "$(json_string "$password")" | rmq_api_put "users/$user" \
      || die "rabbitmq: could not create user $user through the management API"
    printf '{"configure":%s,"write":%s,"read":%s}' "$(json_string "$configure")" "$(json_string "$write")" "$(json_string "$read")" \
      | rmq_api_put "permissions/%2F/$user" || die "rabbitmq: could not set the permissions of $user"
    names+=("$user")
  done <"$RMQ_PERMISSIONS"
  log "rabbitmq: ensured service users ${names[*]} (no tags; permissions from scripts/broker-permissions.tsv; passwords in $SECRETS_DIR)"
  provision_service_secrets
}

# Secrets the services need besides their logins, generated once and kept (data is sealed under the webhook key):
# $SECRETS_DIR/parameters/<name> for the app host's parameter of that name, and appended to tye/<service>.env (which
# rmq_provision_services has just written) for Tye.
provision_service_secrets() {
  local name file
  mkdir -p "$SECRETS_DIR/parameters" "$SECRETS_DIR/tye"
  chmod 700 "$SECRETS_DIR/parameters"
  for name in orders-webhook-secret-key orders-sandbox-callback-secret observability-alert-intake-token; do
    file="$SECRETS_DIR/parameters/$name"
    if [[ ! -s $file ]]; then
      (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.tmp" && mv "$file.tmp" "$file")
    fi
    chmod 600 "$file"
  done
  (umask 077 && printf 'Webhooks__SecretKey=%s\nPayments__Sandbox__CallbackSecret=%s\n' \
    "$(<"$SECRETS_DIR/parameters/orders-webhook-secret-key")" "$(<"$SECRETS_DIR/parameters/orders-sandbox-callback-secret")" \
    >>"$SECRETS_DIR/tye/orders.env")
  (umask 077 && printf 'Alerts__IntakeToken=%s\n' "$(<"$SECRETS_DIR/parameters/observability-alert-intake-token")" \
    >>"$SECRETS_DIR/tye/observability.env")
}

rmq_wait() {
  local deadline=$((SECONDS + TIMEOUT))
  until rmq_healthy; do
    (( SECONDS < deadline )) || die "rabbitmq not healthy (AMQP :$RMQ_PORT, management :$RMQ_MGMT_PORT as $APP_USER, prometheus :$RMQ_PROM_PORT) after ${TIMEOUT}s; logs in $RMQ_LOG_DIR"
    sleep 1
  done
}

rmq_up() {
  rmq_installed || apt_install rabbitmq-server
  rmq_installed || die "rabbitmq-server not found in $RMQ_LIBBIN after install"

  # Fast path: a healthy broker with our user is already serving these ports.
  if rmq_healthy; then
    local ourpid=""; ourpid=$(rmq_our_pid || true)
    if port_has_pid "$RMQ_PORT" "$ourpid"; then
      log "rabbitmq: already running as $RMQ_NODENAME (pid $ourpid) - reused"
    else
      log "rabbitmq: reusing existing broker on port $RMQ_PORT: $(port_owner "$RMQ_PORT")"
    fi
    rmq_provision_services
    return 0
  fi

  # Ports are checked before touching /etc/rabbitmq, so a conflict changes nothing.
  local p ourpid=""
  if rmqctl -q ping >/dev/null 2>&1; then
    # Our node name is running (e.g. started earlier) but not fully healthy/provisioned.
    ourpid=$(rmqctl -q eval 'list_to_integer(os:getpid()).' 2>/dev/null | tr -dc '0-9' || true)
    for p in "$RMQ_PORT" "$RMQ_MGMT_PORT" "$RMQ_PROM_PORT"; do
      if port_listening "$p" && ! port_has_pid "$p" "$ourpid"; then
        die "$(port_busy_msg "$p" "RabbitMQ node $RMQ_NODENAME" "GOCOFFEE_RABBITMQ_PORT / _MGMT_PORT / _PROM_PORT")"
      fi
    done
    if CHECK_ONLY=1 rmq_write_config; then
      die "rabbitmq: node $RMQ_NODENAME is running (pid ${ourpid:-?}) with a configuration in $RMQ_ETC that differs from the requested one (ports/data root); stop it first ('$0 down' with the settings it was started with), then '$0 up'"
    fi
    log "rabbitmq: node $RMQ_NODENAME already running (pid ${ourpid:-?}) - reusing"
  else
    for p in "$RMQ_PORT" "$RMQ_MGMT_PORT" "$RMQ_PROM_PORT"; do
      if port_listening "$p"; then
        die "$(port_busy_msg "$p" "RabbitMQ node $RMQ_NODENAME (reachable with rabbitmqctl, or with user $APP_USER via the management API)" "GOCOFFEE_RABBITMQ_PORT / _MGMT_PORT / _PROM_PORT")"
      fi
    done
    rmq_write_config || true
    rmq_start
  fi
  rmq_provision
  rmq_wait
  rmq_provision_services
  if [[ -f $RMQ_MARKER ]] && grep -qx "pid=$(rmq_our_pid || echo none)" "$RMQ_MARKER"; then
    log "rabbitmq: started by infra.sh (pid $(rmq_our_pid))"
  fi
}

rmq_status_line() {
  if rmq_healthy; then
    local ver who ourpid=""
    ver=$(rmq_api overview | grep -o '"rabbitmq_version":"[^"]*"' | cut -d'"' -f4 || true)
    ourpid=$(rmq_our_pid || true)
    if port_has_pid "$RMQ_PORT" "$ourpid"; then
      who="node $RMQ_NODENAME, pid $ourpid"
      [[ -f $RMQ_MARKER ]] && grep -qx "pid=$ourpid" "$RMQ_MARKER" && who+=", started by infra.sh"
    else
      who="external broker: $(port_owner "$RMQ_PORT")"
    fi
    echo "rabbitmq:   UP   127.0.0.1:$RMQ_PORT  RabbitMQ ${ver:-?} ($who)  amqp://$APP_USER:$APP_PASS@127.0.0.1:$RMQ_PORT/  mgmt http://127.0.0.1:$RMQ_MGMT_PORT  metrics http://127.0.0.1:$RMQ_PROM_PORT/metrics"
    return 0
  fi
  local why=()
  rmq_amqp_open || why+=("AMQP :$RMQ_PORT closed")
  rmq_app_ok || why+=("management API :$RMQ_MGMT_PORT not OK for $APP_USER")
  rmq_prom_ok || why+=("prometheus :$RMQ_PROM_PORT not OK")
  if rmq_amqp_open; then
    echo "rabbitmq:   DEGRADED $(IFS=';'; echo "${why[*]}") (run: $0 up)"
  else
    echo "rabbitmq:   DOWN $(IFS=';'; echo "${why[*]}") (logs: $RMQ_LOG_DIR)"
  fi
  return 1
}

rmq_down() {
  local ourpid="" marker_pid=""
  ourpid=$(rmq_our_pid || true)
  [[ -f $RMQ_MARKER ]] && marker_pid=$(sed -n 's/^pid=//p' "$RMQ_MARKER")
  if [[ -n $ourpid && $ourpid == "$marker_pid" ]]; then
    log "rabbitmq: stopping node $RMQ_NODENAME (pid $ourpid)"
    rmqctl -q stop "$RMQ_PID_FILE" >/dev/null 2>&1 || {
      warn "rabbitmqctl stop failed; sending SIGTERM to pid $ourpid"
      kill -TERM "$ourpid" 2>/dev/null || true
    }
    local deadline=$((SECONDS + 60))
    while pid_alive "$ourpid"; do
      (( SECONDS < deadline )) || die "rabbitmq (pid $ourpid) did not stop within 60s"
      sleep 0.5
    done
    rm -f "$RMQ_MARKER" "$RMQ_PID_FILE"
    log "rabbitmq: stopped"
  elif [[ -n $ourpid ]]; then
    log "rabbitmq: node running (pid $ourpid) but not started by infra.sh - leaving it alone"
  else
    rm -f "$RMQ_MARKER"
    if port_listening "$RMQ_PORT"; then
      log "rabbitmq: port $RMQ_PORT is served by $(port_owner "$RMQ_PORT"), not started by infra.sh - leaving it alone"
    else
      log "rabbitmq: not running"
    fi
  fi
}

# ------------------------------------------------------------------ main ---
with_lock() {
  ensure_dirs
  exec 9>"$RUN_DIR/infra.lock"
  flock -w 300 9 || die "another 'infra.sh' has held $RUN_DIR/infra.lock for 300s (see: ls -l /proc/*/fd/9 | grep infra.lock)"
}

usage() {
  echo "usage: $0 {up|down|status}" >&2
  exit 2
}

main() {
  local cmd=${1:-}
  case $cmd in
    up)
      require_root "$@"
      with_lock
      local t0=$SECONDS
      pg_up
      rmq_up
      log "ready in $((SECONDS - t0))s"
      local rc=0
      pg_status_line || rc=1
      rmq_status_line || rc=1
      return $rc
      ;;
    down)
      require_root "$@"
      with_lock
      rmq_down
      pg_down
      ;;
    status)
      local rc=0
      if pg_installed; then pg_status_line || rc=1
      else echo "postgresql: DOWN (PostgreSQL 15 not installed)"; rc=1; fi
      if rmq_installed; then rmq_status_line || rc=1
      else echo "rabbitmq:   DOWN (rabbitmq-server not installed)"; rc=1; fi
      return $rc
      ;;
    *) usage ;;
  esac
}

main "$@"
