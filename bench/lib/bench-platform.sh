# Shared by the benchmark scripts that start Go Coffee's processes themselves (bench/orders, bench/GoCoffee.Bench.Gateway).
# Source it after setting: ROOT (repository), OUT (results folder), DB (database to create), VHOST (RabbitMQ virtual
# host to create), PG_ADMIN (libpq URL of a role that may create databases), RABBIT_API (management API URL with
# credentials) and BENCH_SERVICES (the broker-permissions.tsv rows to log in as, e.g. "tenant cluster-agent gateway").
# It gives: log, die, require_free_ports, build_projects, bench_store_up, start, cpu_ms, until_ok; and an EXIT trap
# that stops every process `start` began and drops the database, the virtual host and its users (add more work to
# the trap with `on_exit 'command'`).

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_free_ports() { # port...
  local port
  for port in "$@"; do [[ -z $(ss -Hltn "sport = :$port") ]] || die "port $port is in use"; done
}

build_projects() { # project-dir... (relative to ROOT), Release
  local project
  for project in "$@"; do
    dotnet build "$ROOT/$project" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null || die "build of $project failed"
  done
}

PIDS=()
declare -A PID_OF=()
EXTRA_CLEANUP=()
on_exit() { EXTRA_CLEANUP+=("$1"); }
bench_cleanup() {
  set +e
  local pid svc step
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  psql "$PG_ADMIN" -qc "drop database if exists \"$DB\" with (force)" >/dev/null 2>&1
  curl -s -X DELETE "$RABBIT_API/vhosts/$VHOST" >/dev/null
  for svc in $BENCH_SERVICES; do curl -s -X DELETE "$RABBIT_API/users/$VHOST.$svc" >/dev/null; done
  for step in "${EXTRA_CLEANUP[@]}"; do eval "$step"; done
  rm -rf "$OUT/manifests"
}
trap bench_cleanup EXIT

# The benchmark's own database and virtual host, and one broker user per service in BENCH_SERVICES with production's
# permissions (scripts/broker-permissions.tsv), as run.sh gives them. Sets PG (connection string) and MQ_OF[service].
declare -A MQ_OF=()
bench_store_up() {
  psql "$PG_ADMIN" -qc "create database \"$DB\"" >/dev/null || die "cannot create database $DB"
  curl -sf -X PUT "$RABBIT_API/vhosts/$VHOST" >/dev/null || die "cannot create RabbitMQ virtual host $VHOST"
  curl -sf -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' "$RABBIT_API/permissions/$VHOST/gocoffee" >/dev/null
  PG="Host=127.0.0.1;Port=5432;Database=$DB;Username=gocoffee;Password=gocoffee"
  local svc configure write read pass
  while IFS=$'\t' read -r svc configure write read; do
    [[ -z $svc || $svc == \#* || " $BENCH_SERVICES " != *" $svc "* ]] && continue
    pass=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '{"password":"%s","tags":""}' "$pass" | curl -sf -X PUT -H 'content-type: application/json' --data-binary @- "$RABBIT_API/users/$VHOST.$svc" >/dev/null \
      || die "cannot create RabbitMQ user $VHOST.$svc"
    printf '{"configure":%s,"write":%s,"read":%s}' "$(json_string "$configure")" "$(json_string "$write")" "$(json_string "$read")" \
      | curl -sf -X PUT -H 'content-type: application/json' --data-binary @- "$RABBIT_API/permissions/$VHOST/$VHOST.$svc" >/dev/null \
      || die "cannot set the permissions of $VHOST.$svc"
    MQ_OF[$svc]="amqp://$VHOST.$svc:$pass@127.0.0.1:5672/$VHOST"
  done <"$ROOT/scripts/broker-permissions.tsv"
}
json_string() { local v=${1//\\/\\\\}; printf '"%s"' "${v//\"/\\\"}"; }

start() { # name project-dir dll env...   (the Release build, its log in OUT/name.log)
  local name=$1 dir=$2 dll=$3; shift 3
  (cd "$ROOT/$dir/bin/Release/net10.0" && exec env "$@" dotnet "$dll.dll") >"$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}

# CPU time (ms, user + system) a process has used so far.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }

until_ok() { # what seconds url [curl args...]
  local what=$1 seconds=$2 url=$3; shift 3
  local deadline=$((SECONDS + seconds))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@" "$url") == 200 ]]; do
    ((SECONDS < deadline)) || die "$what: $url did not answer 200 within ${seconds}s (logs in $OUT)"
    sleep 0.5
  done
}
