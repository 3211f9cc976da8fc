#!/usr/bin/env bash
# Go Coffee - bring the whole platform up locally with one command (no Docker needed).
#
#   ./run.sh                 infra (PostgreSQL + RabbitMQ) -> build (Release) -> Aspire dashboard
#                            -> services, cluster-agent, gateway -> wait until all are ready,
#                            then stay in the foreground; Ctrl-C stops everything it started.
#   ./run.sh --no-build      skip 'dotnet build' (use the existing Release binaries)
#   ./run.sh --no-dashboard  don't start the Aspire dashboard (no OTLP export unless you set
#                            OTEL_EXPORTER_OTLP_ENDPOINT yourself)
#   ./run.sh --no-infra      don't call scripts/infra.sh (PostgreSQL/RabbitMQ must already answer)
#   ./run.sh --smoke         once healthy, run scripts/smoke.sh (health via gateway, bus probe, telemetry)
#   ./run.sh --timeout N     seconds to wait for readiness [90, or $GOCOFFEE_RUN_TIMEOUT]
#   ./run.sh --stop          stop a ./run.sh of this checkout running elsewhere (or its left-over processes)
#
# Environment: GOCOFFEE_RUN_TIMEOUT (readiness timeout, s), GOCOFFEE_RUN_RESTARTS (restarts of a process
# that crashes during startup before giving up [1]), GOCOFFEE_RUN_CRASH_RESTARTS (restarts of a process that dies
# after startup [5]), GOCOFFEE_PG_PORT / GOCOFFEE_RABBITMQ_PORT (as infra.sh),
# GOCOFFEE_DEV_KEYS (Platform__UseDevelopmentKeys of every process [true]: the published development keys sign the
# internal tokens and the JWTs of scripts/dev-token.sh; false requires real keys, see gateway/GoCoffee.Gateway/README.md).
# Logs: .run/logs/<name>.log (previous run's: <name>.prev.log); PIDs: .run/pids/<name>.pid.
# PostgreSQL and RabbitMQ are shared infrastructure: this script starts them if needed but never
# stops them - 'scripts/infra.sh down' does. See docs/RUNNING.md.
set -euo pipefail

# A script started in the background by a non-interactive shell ('setsid ./run.sh &', CI, nohup)
# inherits SIGINT/SIGQUIT as *ignored*, and bash cannot trap a signal ignored on entry, so
# 'kill -INT' would do nothing. Re-exec once with the default dispositions restored.
if [[ -z ${GOCOFFEE_RUN_SIGNALS_RESET:-} ]] \
   && (( (16#$(awk '/^SigIgn:/{print $2}' /proc/$$/status 2>/dev/null || echo 0)) & 2 )) \
   && env --default-signal=INT true 2>/dev/null; then
  export GOCOFFEE_RUN_SIGNALS_RESET=1
  exec env --default-signal=INT,QUIT bash "${BASH_SOURCE[0]}" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
DASHBOARD_PROJECT="$ROOT/scripts/dashboard/dashboard.csproj"

DASHBOARD_URL=http://127.0.0.1:18888
DASHBOARD_OTLP_GRPC_URL=http://127.0.0.1:18889
DASHBOARD_OTLP_HTTP_URL=http://127.0.0.1:18890
GATEWAY_URL=http://127.0.0.1:8080
RABBITMQ_CONSOLE_URL="http://127.0.0.1:${GOCOFFEE_RABBITMQ_MGMT_PORT:-15672}"
PG_PORT=${GOCOFFEE_PG_PORT:-5432}
RMQ_PORT=${GOCOFFEE_RABBITMQ_PORT:-5672}
PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Database=gocoffee;Username=gocoffee;Password=gocoffee"
RMQ_CONN="amqp://gocoffee:gocoffee@127.0.0.1:$RMQ_PORT/"   # the administrator: shown to operators, never given to a process
# Each process logs in to RabbitMQ as its own user (gocoffee-<name>), whose password scripts/infra.sh generated.
RMQ_SECRETS="${GOCOFFEE_DATA_ROOT:-/var/lib/gocoffee}/secrets"
rmq_conn_of() { # name
  local file="$RMQ_SECRETS/rabbitmq-$1.password"
  [[ -r $file ]] || die "no broker password for $1 in $file: run scripts/infra.sh up (as root) to create the per-service RabbitMQ users"
  printf 'amqp://gocoffee-%s:%s@127.0.0.1:%s/' "$1" "$(<"$file")" "$RMQ_PORT"
}

# name | project folder | port | API prefix. The gateway must stay last (it is checked last).
APPS=(
  "tenant|services/GoCoffee.Tenant|5101|/api/tenants"
  "ai-workload|services/GoCoffee.AiWorkload|5102|/api/ai"
  "observability|services/GoCoffee.Observability|5103|/api/observability"
  "orders|services/GoCoffee.Orders|5104|/api/orders"
  "web3|services/GoCoffee.Web3|5105|/api/web3"
  "cluster-agent|services/GoCoffee.ClusterAgent|5106|/api/cluster-agent"
  "gateway|gateway/GoCoffee.Gateway|8080|"
)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---------------------------------------------------------------- helpers ---
if [[ -t 1 ]]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' N=$'\e[0m'; else B='' G='' R='' Y='' N=''; fi
log()  { printf '%s[run]%s %s\n' "$B" "$N" "$*"; }
ok()   { printf '%s[run]%s %s✓%s %s\n' "$B" "$N" "$G" "$N" "$*"; }
warn() { printf '%s[run] WARNING:%s %s\n' "$Y" "$N" "$*" >&2; }
err()  { printf '%s[run] ERROR:%s %s\n' "$R" "$N" "$*" >&2; }
die()  { err "$*"; exit 1; }

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%01d' $((d / 1000)) $(((d % 1000) / 100)); }

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }

port_listening() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }
port_owner() {
  local o
  o=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o '"[^"]*",pid=[0-9]*' | sed -E 's/"([^"]*)",pid=([0-9]+)/\1 (pid \2)/' | sort -u | paste -sd, - || true)
  printf '%s' "${o:-an unknown process}"
}
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Alive and not a zombie?
alive() {
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo '?')
  [[ $state != Z ]]
}
cmdline_of() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# ------------------------------------------------------------- arguments ---
DO_BUILD=1 DO_DASHBOARD=1 DO_INFRA=1 DO_SMOKE=0 DO_STOP=0
TIMEOUT=${GOCOFFEE_RUN_TIMEOUT:-90}
while (($#)); do
  case $1 in
    --no-build) DO_BUILD=0 ;;
    --no-dashboard) DO_DASHBOARD=0 ;;
    --no-infra) DO_INFRA=0 ;;
    --smoke) DO_SMOKE=1 ;;
    --stop) DO_STOP=1 ;;
    --timeout) shift; [[ ${1:-} =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"; TIMEOUT=$1 ;;
    --timeout=*) TIMEOUT=${1#*=}; [[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds" ;;
    -h|--help) usage 0 ;;
    *) err "unknown option: $1 (see ./run.sh --help)"; exit 2 ;;
  esac
  shift
done

mkdir -p "$LOG_DIR" "$PID_DIR"

# ------------------------------------------- processes of this checkout ---
# A pid file is trusted only if that process still runs the binary this script started
# from this checkout (absolute path in its command line), so a recycled PID is never touched.
pidfile_pid() { # name -> pid of a live process we started, or nothing
  local f="$PID_DIR/$1.pid" pid want
  [[ -f $f ]] || return 1
  pid=$(sed -n 1p "$f"); want=$(sed -n 2p "$f")
  alive "$pid" || return 1
  [[ -n $want && $(cmdline_of "$pid") == *"$want"* ]] || return 1
  echo "$pid"
}

# SIGTERM the given "name:pid" entries, wait up to $1 seconds, then SIGKILL what is left.
terminate() {
  local grace=$1; shift
  local e pid name
  for e in "$@"; do pid=${e##*:}; kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$(( $(now_ms) + grace * 1000 ))
  for e in "$@"; do
    name=${e%%:*}; pid=${e##*:}
    while alive "$pid" && (( $(now_ms) < deadline )); do sleep 0.2; done
    if alive "$pid"; then
      warn "$name (pid $pid) did not stop within ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    log "stopped $name (pid $pid)"
    rm -f "$PID_DIR/$name.pid"
  done
}

stop_leftovers() { # processes recorded by an earlier run that died without cleaning up
  local entries=() a name pid
  for a in "${APPS[@]}"; do
    name=${a%%|*}
    if pid=$(pidfile_pid "$name"); then entries+=("$name:$pid"); else rm -f "$PID_DIR/$name.pid"; fi
  done
  if pid=$(pidfile_pid dashboard); then entries+=("dashboard:$pid"); else rm -f "$PID_DIR/dashboard.pid"; fi
  if ((${#entries[@]})); then
    warn "stopping processes left over from an earlier ./run.sh of this checkout: ${entries[*]}"
    terminate 20 "${entries[@]}"
  fi
}

if ((DO_STOP)); then
  if pid=$(pidfile_pid run); then
    log "sending SIGTERM to ./run.sh (pid $pid); it stops what it started"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do alive "$pid" || break; sleep 0.2; done
    alive "$pid" && die "./run.sh (pid $pid) is still running after 30s"
    log "stopped"
  fi
  rm -f "$PID_DIR/run.pid"
  stop_leftovers
  log "nothing of this checkout is running any more (PostgreSQL/RabbitMQ untouched: scripts/infra.sh down stops them)"
  exit 0
fi

# One ./run.sh per checkout. fd 8 is closed for every child so the lock dies with this script.
exec 8>"$RUN_DIR/run.lock"
if ! flock -n 8; then
  other=$(pidfile_pid run || echo '?')
  die "./run.sh is already running in this checkout (pid $other). Stop it with Ctrl-C in its terminal, or: ./run.sh --stop"
fi
printf '%s\n%s\n' "$$" "run.sh" >"$PID_DIR/run.pid"
stop_leftovers

# ----------------------------------------------------------- lifecycle ---
STARTED=()        # "name:pid", in start order (dashboard first)
STOPPING=0
cleanup() {
  local rc=$?
  ((STOPPING)) && return
  STOPPING=1
  trap '' INT TERM HUP
  set +e
  if ((${#STARTED[@]})); then
    echo
    log "stopping everything this script started..."
    local apps=() dash=() e
    for e in "${STARTED[@]}"; do
      if [[ ${e%%:*} == dashboard ]]; then dash+=("$e"); else apps+=("$e"); fi
    done
    # Gateway and services first (they flush their last telemetry), then the dashboard.
    ((${#apps[@]})) && terminate 20 "${apps[@]}"
    ((${#dash[@]})) && terminate 10 "${dash[@]}"
  fi
  rm -f "$PID_DIR/run.pid"
  log "PostgreSQL and RabbitMQ were left running (shared infrastructure); stop them with: scripts/infra.sh down"
  exit "$rc"
}
on_signal() { log "received SIG$1"; exit 0; }
trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# start NAME CWD ENV... -- CMD...: runs CMD in CWD in the background, output to .run/logs/NAME.log.
start_proc() {
  local name=$1 cwd=$2; shift 2
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  local logf="$LOG_DIR/$name.log"
  [[ -s $logf ]] && mv -f "$logf" "$LOG_DIR/$name.prev.log"
  : >"$logf"
  (cd "$cwd" && exec env "${envs[@]}" "$@") </dev/null >>"$logf" 2>&1 8>&- &
  local pid=$!
  local i
  for i in "${!STARTED[@]}"; do [[ ${STARTED[$i]%%:*} == "$name" ]] && unset 'STARTED[i]'; done
  STARTED+=("$name:$pid")
  # line 2: what its command line must contain for --stop / leftover clean-up to trust this pid
  printf '%s\n%s\n' "$pid" "${@: -1}" >"$PID_DIR/$name.pid"
  LAST_PID=$pid
}

show_log_tail() { # name [lines]
  local f="$LOG_DIR/$1.log"
  err "last ${2:-40} lines of $f (cut at 400 characters):"
  # The services log one JSON object per line (with stack traces inside): keep each line short.
  if [[ -s $f ]]; then tail -n "${2:-40}" "$f" | cut -c1-400 | sed 's/^/    /' >&2; else echo "    (empty)" >&2; fi
}

# ---------------------------------------------------- 1. infrastructure ---
T_START=$(now_ms)
INFRA="$ROOT/scripts/infra.sh"
if ((DO_INFRA)); then
  if [[ ! -f $INFRA ]]; then
    warn "scripts/infra.sh not found - only checking that PostgreSQL (:$PG_PORT) and RabbitMQ (:$RMQ_PORT) answer"
  elif bash "$INFRA" status >"$LOG_DIR/infra-status.log" 2>&1 8>&-; then
    # Already up: 'status' takes no lock and is fast, so 'up' is only called when something is missing.
    log "infrastructure: PostgreSQL and RabbitMQ already up (scripts/infra.sh status)"
    sed 's/^/      /' "$LOG_DIR/infra-status.log"
  elif [[ $(id -u) -eq 0 ]]; then
    log "infrastructure: scripts/infra.sh up"
    bash "$INFRA" up 8>&- | sed 's/^/      /' || die "scripts/infra.sh up failed (see its output above)"
  else
    sed 's/^/      /' "$LOG_DIR/infra-status.log" >&2
    die "PostgreSQL/RabbitMQ are not up, and starting them needs root: sudo scripts/infra.sh up"
  fi
fi
tcp_open "$PG_PORT" || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT (start it: sudo scripts/infra.sh up)"
tcp_open "$RMQ_PORT" || die "RabbitMQ does not answer on 127.0.0.1:$RMQ_PORT (start it: sudo scripts/infra.sh up)"

# ------------------------------------------------------- 2. SDK + build ---
DOTNET=$(command -v dotnet || true)
for c in "${DOTNET_ROOT:-}/dotnet" "$HOME/.dotnet/dotnet" /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet /usr/local/share/dotnet/dotnet; do
  [[ -z $DOTNET && -x $c ]] && DOTNET=$c
done
[[ -n $DOTNET ]] || die "the .NET SDK was not found (no 'dotnet' on PATH). Install the .NET SDK $(grep -o '"version": *"[^"]*"' "$ROOT/global.json" | cut -d'"' -f4) (see global.json), e.g. with dotnet-install.sh or your distribution's dotnet-sdk-10.0 package, then re-run ./run.sh"
if ! SDK_VERSION=$(cd "$ROOT" && "$DOTNET" --version 2>&1); then
  err "$DOTNET is there, but no SDK matching global.json was found:"
  echo "$SDK_VERSION" | sed 's/^/    /' >&2
  exit 1
fi
log ".NET SDK $SDK_VERSION ($DOTNET)"

if ((DO_BUILD)); then
  log "building GoCoffee.sln (Release) - log: .run/logs/build.log"
  T_BUILD=$(now_ms)
  if ! (cd "$ROOT" && "$DOTNET" build GoCoffee.sln -c Release -nologo -v q -nodeReuse:false -clp:NoSummary) \
      </dev/null >"$LOG_DIR/build.log" 2>&1 8>&-; then
    err "build FAILED. Errors:"
    { grep -E ': error [A-Z]*[0-9]*' "$LOG_DIR/build.log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -n 60 \
      || tail -n 60 "$LOG_DIR/build.log"; } | sed 's/^/    /' >&2
    die "dotnet build GoCoffee.sln -c Release failed - full output in .run/logs/build.log"
  fi
  BUILD_SECS=$(secs_since "$T_BUILD")
  ok "build succeeded in ${BUILD_SECS}s"
else
  log "--no-build: using the existing Release binaries"
fi

# Locate every app's Release output (bin/Release/<tfm>/<Project>.dll).
declare -A DLL BINDIR
for a in "${APPS[@]}"; do
  IFS='|' read -r name dir port prefix <<<"$a"
  proj=$(basename "$dir")
  dll=$(ls -t "$ROOT/$dir"/bin/Release/*/"$proj.dll" 2>/dev/null | head -n1 || true)
  [[ -n $dll ]] || die "$ROOT/$dir/bin/Release/<tfm>/$proj.dll not found - build first (run ./run.sh without --no-build)"
  DLL[$name]=$dll; BINDIR[$name]=$(dirname "$dll")
done

T_READY_FROM=$(now_ms)   # "build finished" (or start, with --no-build)

# Nothing of ours may already be listening.
busy=()
for a in "${APPS[@]}"; do
  IFS='|' read -r name dir port prefix <<<"$a"
  port_listening "$port" && busy+=("  $port ($name) is in use by $(port_owner "$port")")
done
if ((DO_DASHBOARD)); then
  for p in 18888 18889 18890; do port_listening "$p" && busy+=("  $p (dashboard) is in use by $(port_owner "$p")"); done
fi
if ((${#busy[@]})); then
  err "ports needed by the platform are already in use:"
  printf '%s\n' "${busy[@]}" >&2
  die "is another ./run.sh (maybe in another checkout) still running? Stop it (Ctrl-C, or ./run.sh --stop in that checkout), or stop those processes"
fi

# ---------------------------------------------------------- 3. dashboard ---
OTEL_ENV=()
if ((DO_DASHBOARD)); then
  DASH_VERSION=$(sed -n 's:.*<AspireDashboardVersion>\(.*\)</AspireDashboardVersion>.*:\1:p' "$DASHBOARD_PROJECT")
  PKG_ROOT=${NUGET_PACKAGES:-}
  if [[ -z $PKG_ROOT ]]; then
    PKG_ROOT=$(cd "$ROOT" && "$DOTNET" nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: *//p' | head -n1)
    PKG_ROOT=${PKG_ROOT:-$HOME/.nuget/packages}
  fi
  DASH_DIR="${PKG_ROOT%/}/aspire.dashboard.sdk.linux-x64/$DASH_VERSION/tools"
  DASH_BIN="$DASH_DIR/Aspire.Dashboard"
  if [[ ! -f $DASH_BIN ]]; then
    log "downloading Aspire Dashboard $DASH_VERSION (dotnet restore scripts/dashboard/dashboard.csproj)"
    (cd "$ROOT" && "$DOTNET" restore "$DASHBOARD_PROJECT" -nologo -v q) </dev/null >"$LOG_DIR/dashboard-restore.log" 2>&1 8>&- \
      || { tail -n 30 "$LOG_DIR/dashboard-restore.log" | sed 's/^/    /' >&2
           die "could not restore Aspire.Dashboard.Sdk.linux-x64 $DASH_VERSION from NuGet (log: .run/logs/dashboard-restore.log); use --no-dashboard to run without it"; }
  fi
  [[ -f $DASH_BIN ]] || die "dashboard binary not found at $DASH_BIN after restore; use --no-dashboard to run without it"
  [[ -x $DASH_BIN ]] || chmod u+x "$DASH_BIN" 2>/dev/null || die "$DASH_BIN is not executable"

  log "starting Aspire Dashboard $DASH_VERSION on $DASHBOARD_URL (OTLP gRPC $DASHBOARD_OTLP_GRPC_URL, HTTP $DASHBOARD_OTLP_HTTP_URL)"
  start_proc dashboard "$DASH_DIR" \
    ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
    ASPNETCORE_URLS="$DASHBOARD_URL" \
    ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="$DASHBOARD_OTLP_GRPC_URL" \
    ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="$DASHBOARD_OTLP_HTTP_URL" \
    -- "$DASH_BIN"
  DASH_PID=$LAST_PID
  deadline=$(( $(now_ms) + 30000 ))
  until curl -fsS -o /dev/null --max-time 2 "$DASHBOARD_URL/" 2>/dev/null; do
    if ! alive "$DASH_PID"; then show_log_tail dashboard; die "the dashboard exited during startup (use --no-dashboard to run without it)"; fi
    if (( $(now_ms) > deadline )); then show_log_tail dashboard; die "the dashboard did not answer on $DASHBOARD_URL within 30s (use --no-dashboard to run without it)"; fi
    sleep 0.2
  done
  ok "dashboard up (pid $DASH_PID)"
  OTEL_ENV=(
    OTEL_EXPORTER_OTLP_ENDPOINT="$DASHBOARD_OTLP_GRPC_URL"
    OTEL_EXPORTER_OTLP_PROTOCOL=grpc
    # Export every second / every 5 s so the dashboard feels live (SDK defaults: 5 s / 60 s).
    OTEL_BSP_SCHEDULE_DELAY=1000
    OTEL_BLRP_SCHEDULE_DELAY=1000
    OTEL_METRIC_EXPORT_INTERVAL=5000
  )
elif [[ -n ${OTEL_EXPORTER_OTLP_ENDPOINT:-} ]]; then
  log "--no-dashboard: telemetry goes to your OTEL_EXPORTER_OTLP_ENDPOINT=$OTEL_EXPORTER_OTLP_ENDPOINT"
else
  log "--no-dashboard: no OTLP export (metrics are still at each service's /metrics)"
fi

# ------------------------------------------ 4. services, agent, gateway ---
declare -A PID_OF PORT_OF RESTARTS
MAX_RESTARTS=${GOCOFFEE_RUN_RESTARTS:-1}
start_app() { # name
  local name=$1 port=${PORT_OF[$1]}
  start_proc "$name" "${BINDIR[$name]}" \
    Urls="http://127.0.0.1:$port" \
    ConnectionStrings__Postgres="$PG_CONN" \
    ConnectionStrings__RabbitMq="$(rmq_conn_of "$name")" \
    ClusterAgent__ManifestsPath="${GOCOFFEE_MANIFESTS:-$RUN_DIR/manifests}" \
    Platform__UseDevelopmentKeys="${GOCOFFEE_DEV_KEYS:-true}" \
    "${OTEL_ENV[@]}" \
    -- "$DOTNET" "${DLL[$name]}"
  PID_OF[$name]=$LAST_PID
  log "started $(printf '%-13s' "$name") pid $(printf '%-7s' "$LAST_PID") http://127.0.0.1:$port  log .run/logs/$name.log"
}
for a in "${APPS[@]}"; do
  IFS='|' read -r name dir port prefix <<<"$a"
  PORT_OF[$name]=$port
  start_app "$name"
done

# ------------------------------------------------------- 5. readiness ---
log "waiting (up to ${TIMEOUT}s) for every /health/ready - the gateway last"
fail_and_stop() { # name message
  err "$1: $2"
  show_log_tail "$1" 40
  [[ -n ${3:-} ]] && { err "last /health/ready answer of $1:"; echo "    $3" >&2; }
  die "startup failed - stopping everything (all logs in .run/logs/)"
}
declare -A READY LAST_BODY
deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
next_note=$(( $(now_ms) + 5000 ))
PROBE_BODY="$RUN_DIR/ready-body.tmp"
while :; do
  pending=()
  services_ready=1
  for a in "${APPS[@]}"; do
    IFS='|' read -r name dir port prefix <<<"$a"
    [[ -n ${READY[$name]:-} ]] && continue
    pid=${PID_OF[$name]}
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null && code=0 || code=$?
      if (( ${RESTARTS[$name]:-0} >= MAX_RESTARTS )); then
        fail_and_stop "$name" "exited during startup (exit code $code)" "${LAST_BODY[$name]:-}"
      fi
      # A crash at startup can be a transient race (e.g. every service applying its database schema at
      # once on a busy machine): retry, showing why, before giving up. The restarted process gets at
      # least half the timeout again.
      RESTARTS[$name]=$(( ${RESTARTS[$name]:-0} + 1 ))
      warn "$name exited during startup (exit code $code); restarting it (attempt ${RESTARTS[$name]} of $MAX_RESTARTS). Its last errors:"
      tail -n 400 "$LOG_DIR/$name.log" | grep -E '"@l":"(Error|Fatal)"|^Unhandled exception' | tail -n 3 | cut -c1-400 | sed 's/^/    /' >&2
      cp -f "$LOG_DIR/$name.log" "$LOG_DIR/$name.crash-${RESTARTS[$name]}.log"
      start_app "$name"
      (( deadline < $(now_ms) + TIMEOUT * 500 )) && deadline=$(( $(now_ms) + TIMEOUT * 500 ))
      pending+=("$name")
      [[ $name != gateway ]] && services_ready=0
      continue
    fi
    if [[ $name == gateway ]] && ((!services_ready)); then pending+=("$name"); continue; fi
    http=$(curl -s -o "$PROBE_BODY" --max-time 3 -w '%{http_code}' "http://127.0.0.1:$port/health/ready" 2>/dev/null || true)
    if [[ $http == 200 ]]; then
      READY[$name]=1
      ok "$(printf '%-13s' "$name") ready after $(secs_since "$T_READY_FROM")s"
    else
      if [[ -z $http || $http == 000 ]]; then
        LAST_BODY[$name]="(no HTTP answer: not listening yet, or slower than 3 s)"
      else
        LAST_BODY[$name]="HTTP $http $(head -c 1000 "$PROBE_BODY" 2>/dev/null)"
      fi
      pending+=("$name")
      [[ $name != gateway ]] && services_ready=0
    fi
  done
  ((${#pending[@]})) || break
  if (( $(now_ms) > deadline )); then
    for name in "${pending[@]}"; do
      if [[ $name == gateway ]] && ((!services_ready)); then
        err "gateway: not checked yet (its readiness needs every service ready first)"
        continue
      fi
      err "$name not ready after $(secs_since "$T_READY_FROM")s"
      show_log_tail "$name" 30
      [[ -n ${LAST_BODY[$name]:-} ]] && { err "last /health/ready answer of $name:"; echo "    ${LAST_BODY[$name]}" >&2; }
    done
    die "startup timed out - stopping everything (all logs in .run/logs/; a slow machine may need --timeout 180)"
  fi
  if (( $(now_ms) > next_note )); then
    log "  still waiting for: ${pending[*]} ($(secs_since "$T_READY_FROM")s)"
    next_note=$(( $(now_ms) + 5000 ))
  fi
  sleep 0.5
done
rm -f "$PROBE_BODY"
READY_SECS=$(secs_since "$T_READY_FROM")
if ((DO_BUILD)); then
  ok "all ${#APPS[@]} processes healthy ${READY_SECS}s after the build finished (build took ${BUILD_SECS}s)"
else
  ok "all ${#APPS[@]} processes healthy ${READY_SECS}s after startup began (--no-build)"
fi

# ------------------------------------------------------------ 6. summary ---
cat <<EOF

${B}Go Coffee is up.${N}
  Gateway            $GATEWAY_URL        (health: $GATEWAY_URL/health/ready)
EOF
for a in "${APPS[@]}"; do
  IFS='|' read -r name dir port prefix <<<"$a"
  [[ $name == gateway ]] && continue
  printf '    %-16s http://127.0.0.1:%s  OpenAPI http://127.0.0.1:%s%s/openapi/v1.json\n' "$name" "$port" "$port" "$prefix"
done
if ((DO_DASHBOARD)); then
  echo "  Dashboard          $DASHBOARD_URL       (traces, metrics, structured logs; OTLP gRPC $DASHBOARD_OTLP_GRPC_URL)"
fi
cat <<EOF
  RabbitMQ console   $RABBITMQ_CONSOLE_URL       (user gocoffee / password gocoffee)
  PostgreSQL         $PG_CONN
  Logs               $LOG_DIR/<name>.log   (build: build.log, dashboard: dashboard.log)

  API reference      $GATEWAY_URL/docs   (every service's OpenAPI document)

Try (the API needs credentials: a development token from scripts/dev-token.sh, or a tenant's API key):
  curl $GATEWAY_URL/health/ready
  curl $GATEWAY_URL/api/orders/health/ready
  TOKEN=\$(scripts/dev-token.sh)        # a platform operator; scripts/dev-token.sh --tenant <id> acts for one tenant
  curl -H "Authorization: Bearer \$TOKEN" $GATEWAY_URL/api/tenants
  curl -i -X POST -H "Authorization: Bearer \$TOKEN" $GATEWAY_URL/api/observability/probes   # 202, Location: /api/observability/probes/<id>
  curl -H "Authorization: Bearer \$TOKEN" $GATEWAY_URL/api/observability/probes/<id>         # which services answered over the bus

Press Ctrl-C to stop the services, the gateway and the dashboard.
PostgreSQL and RabbitMQ keep running (shared infrastructure): stop them with scripts/infra.sh down.
EOF

if ((DO_SMOKE)); then
  echo
  log "running scripts/smoke.sh"
  if bash "$ROOT/scripts/smoke.sh" 8>&-; then ok "smoke test passed"; else err "smoke test FAILED (the platform keeps running)"; fi
fi

# ----------------------------------------------------- 7. foreground ---
# A service or the gateway that dies after startup (a crash, an OOM kill, kill -9) is started again, at most
# GOCOFFEE_RUN_CRASH_RESTARTS times per process [5]; its log up to the crash is kept as <name>.crash-<n>.log.
declare -A REPORTED CRASHES
MAX_CRASH_RESTARTS=${GOCOFFEE_RUN_CRASH_RESTARTS:-5}
while :; do
  for e in "${STARTED[@]}"; do
    name=${e%%:*}; pid=${e##*:}
    if [[ -z ${REPORTED[$name]:-} ]] && ! alive "$pid"; then
      wait "$pid" 2>/dev/null && code=0 || code=$?
      if [[ -n ${PID_OF[$name]:-} ]] && (( ${CRASHES[$name]:-0} < MAX_CRASH_RESTARTS )); then
        CRASHES[$name]=$(( ${CRASHES[$name]:-0} + 1 ))
        cp -f "$LOG_DIR/$name.log" "$LOG_DIR/$name.crash-after-start-${CRASHES[$name]}.log"
        warn "$name (pid $pid) exited (exit code $code); restarting it (restart ${CRASHES[$name]} of $MAX_CRASH_RESTARTS; log up to the crash: .run/logs/$name.crash-after-start-${CRASHES[$name]}.log)"
        start_app "$name"
        continue
      fi
      REPORTED[$name]=1
      err "$name (pid $pid) exited unexpectedly (exit code $code); not restarted again; the others keep running"
      show_log_tail "$name" 30
    fi
  done
  sleep 1
done
