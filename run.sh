#!/usr/bin/env bash
# Go Coffee - the whole platform locally with one command (no Docker needed).
#
#   ./run.sh              PostgreSQL + RabbitMQ (scripts/infra.sh: installed and started when missing)
#                         -> build the app host (Release) -> run it in the foreground. The Aspire app host
#                         (services/GoCoffee.AppHost) starts every service, the cluster-agent, the gateway, a
#                         local Ethereum node (anvil) and Prometheus, watches their health, starts again one that crashes, and serves the dashboard (each
#                         process's state, logs, traces, metrics, restart). Ctrl-C (or SIGTERM) stops all of it.
#   ./run.sh --no-build   use the existing Release build
#   ./run.sh --no-infra   don't call scripts/infra.sh (PostgreSQL and RabbitMQ must already answer)
#   ./run.sh --help
#
# Environment: GOCOFFEE_PG_PORT, GOCOFFEE_RABBITMQ_PORT, GOCOFFEE_DATA_ROOT (as scripts/infra.sh);
# GOCOFFEE_DEV_KEYS (the published development keys sign internal tokens and scripts/dev-token.sh's JWTs [true]);
# GOCOFFEE_RUN_CRASH_RESTARTS (restarts of a process that dies, each [5]). Any other app host setting can be given
# as GoCoffee__<Key> (docs/RUNNING.md). PostgreSQL and RabbitMQ are shared infrastructure: this script starts them
# when needed but never stops them - 'scripts/infra.sh down' does.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APPHOST="$ROOT/services/GoCoffee.AppHost"
PG_PORT=${GOCOFFEE_PG_PORT:-5432}
RMQ_PORT=${GOCOFFEE_RABBITMQ_PORT:-5672}
DASHBOARD_URL=http://127.0.0.1:18888

log() { printf '[run] %s\n' "$*"; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit "${1:-0}"; }

DO_BUILD=1 DO_INFRA=1
for arg in "$@"; do
  case $arg in
    --no-build) DO_BUILD=0 ;;
    --no-infra) DO_INFRA=0 ;;
    -h|--help) usage 0 ;;
    *) printf '[run] unknown option: %s\n' "$arg" >&2; usage 2 ;;
  esac
done

if ((DO_INFRA)); then
  # 'up' also when both answer: it is quick then, and sets each process's broker permissions again from
  # scripts/broker-permissions.tsv, which a pull may have changed (a process without them cannot start its bus).
  if [[ $(id -u) -eq 0 ]]; then
    bash "$ROOT/scripts/infra.sh" up | sed 's/^/      /'
  elif bash "$ROOT/scripts/infra.sh" status >/dev/null 2>&1; then
    log "PostgreSQL and RabbitMQ are up (not root: broker permissions not refreshed; sudo scripts/infra.sh up does)"
  else
    die "PostgreSQL/RabbitMQ are not up, and starting them needs root: sudo scripts/infra.sh up"
  fi
fi
(exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT (sudo scripts/infra.sh up)"
(exec 3<>"/dev/tcp/127.0.0.1/$RMQ_PORT") 2>/dev/null || die "RabbitMQ does not answer on 127.0.0.1:$RMQ_PORT (sudo scripts/infra.sh up)"

# anvil (the local Ethereum node), prometheus, kubectl and helm: from PATH, else installed into .run/tools/bin.
PATH="$(bash "$ROOT/scripts/tools.sh"):$PATH"
export PATH

command -v dotnet >/dev/null || die "the .NET SDK was not found (no 'dotnet' on PATH); install the SDK global.json names"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ((DO_BUILD)); then
  log "building the app host and every process it runs (Release)"
  started=$SECONDS
  dotnet build "$APPHOST/GoCoffee.AppHost.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly -nodeReuse:false \
    || die "the build failed (errors above)"
  log "built in $((SECONDS - started)) s"
fi
[[ -f $APPHOST/bin/Release/net10.0/GoCoffee.AppHost.dll ]] || die "no Release build of the app host: run ./run.sh without --no-build"

log "starting the app host: dashboard $DASHBOARD_URL, gateway http://127.0.0.1:8080 once ready (Ctrl-C stops everything)"
cd "$APPHOST"
# The dashboard and the app host's resource service on loopback without a developer certificate; the processes'
# broker logins come from the machine's secrets folder (services/GoCoffee.AppHost/BrokerLogins.cs). SIGINT is
# restored in case this script was started in the background (which starts it ignored), so Ctrl-C/kill -INT work.
exec env --default-signal=INT \
  DOTNET_ENVIRONMENT=Development \
  ASPNETCORE_URLS="$DASHBOARD_URL" \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:18889 \
  ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:18890 \
  ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:18891 \
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
  ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=gocoffee;Username=gocoffee;Password=gocoffee" \
  GoCoffee__RabbitMq__Port="$RMQ_PORT" \
  GoCoffee__RabbitMq__Console="http://127.0.0.1:${GOCOFFEE_RABBITMQ_MGMT_PORT:-15672}" \
  GoCoffee__DevelopmentKeys="${GOCOFFEE_DEV_KEYS:-true}" \
  GoCoffee__CrashRestarts="${GOCOFFEE_RUN_CRASH_RESTARTS:-5}" \
  dotnet bin/Release/net10.0/GoCoffee.AppHost.dll
