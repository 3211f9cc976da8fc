#!/usr/bin/env bash
# Orders benchmark: orders placed through the gateway and carried through a sandbox card payment to Completed, end to
# end, everything co-located on this machine, and in the same run what PostgreSQL alone sustains (pgbench -N).
#
#   bench/orders/orders-bench.sh   [RATES="100 200 300" DURATION=30 WARMUP=5 CONCURRENCY=64 MAX_DURATION=30 PGBENCH_SECONDS=20]
#
# Starts the tenant service, the cluster-agent (manifests target), the orders service and the gateway (Release builds,
# production environment, each process with its own broker login as run.sh gives it), creates a tenant through the
# gateway with a platform-admin token (scripts/dev-token.sh) and drives the orders API with its API key
# (bench/orders/Driver): per order POST /orders (Idempotency-Key) → POST /payments (tok_approve) → and, each on the
# tenant's signed webhook for the previous state, POST /brewing, /ready, /picked-up, until the order.completed webhook.
# Phases: pgbench -N; then each offered rate in RATES (open loop, DURATION s each, the first WARMUP s not counted);
# then "max" (CONCURRENCY orders in flight, closed loop, MAX_DURATION s). After each phase the driver reads the database:
# lost (accepted, not Completed) and duplicated (an order not asked for, a transition twice, two payments, a webhook
# event stored twice). Commits per order: pg_stat_database.xact_commit of the benchmark's database over the phase
# (every transaction, reads included) ÷ orders completed. CPU per order per process from /proc.
# ORDERS_ENV="Name=value ..." adds settings to the orders service; GATEWAY_ENV to the gateway.
# Needs PostgreSQL and RabbitMQ (scripts/infra.sh up) and pgbench (postgresql-contrib). Every process listens on
# 127.0.0.1; the script stops everything it started and drops its database and virtual host.
# Results: .run/bench-orders/results.md (and results.json, the driver's raw output, the processes' logs).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="$ROOT/.run/bench-orders"
RATES=${RATES:-100 200 300} DURATION=${DURATION:-30} WARMUP=${WARMUP:-5} CONCURRENCY=${CONCURRENCY:-64} MAX_DURATION=${MAX_DURATION:-30}
PGBENCH_SECONDS=${PGBENCH_SECONDS:-20} PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-16} PGBENCH_SCALE=${PGBENCH_SCALE:-10}
PGBENCH=${PGBENCH:-$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)}
PG_ADMIN=${GOCOFFEE_BENCH_PG:-postgresql://gocoffee:gocoffee@127.0.0.1:5432/gocoffee}
RABBIT_API=${GOCOFFEE_BENCH_RABBITMQ_API:-http://gocoffee:gocoffee@127.0.0.1:15672/api}
RUN_ID=$(date +%s)
TENANT=bench-orders-$RUN_ID
DB=gc_bench_orders_$RUN_ID PGB_DB=gc_bench_pgbench_$RUN_ID VHOST=gc-bench-orders-$RUN_ID
PORT_TENANT=58211 PORT_AGENT=58216 PORT_ORDERS=58214 PORT_GATEWAY=58280 PORT_WEBHOOK=58290

BENCH_SERVICES="tenant cluster-agent orders gateway"
# shellcheck source=../lib/bench-platform.sh
source "$ROOT/bench/lib/bench-platform.sh"
on_exit 'psql "$PG_ADMIN" -qc "drop database if exists \"$PGB_DB\" with (force)" >/dev/null 2>&1'

[[ -x $PGBENCH ]] || die "pgbench is missing (apt-get install -y postgresql-contrib)"
require_free_ports $PORT_TENANT $PORT_AGENT $PORT_ORDERS $PORT_GATEWAY $PORT_WEBHOOK
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/phase-*.json "$OUT"/pgbench.txt

log "building (Release): tenant, cluster-agent, orders, gateway, driver"
build_projects services/GoCoffee.Tenant services/GoCoffee.ClusterAgent services/GoCoffee.Orders gateway/GoCoffee.Gateway bench/orders/Driver

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
MACHINE_LOAD_START=$(loadavg)

# PostgreSQL alone, same machine, same server, before anything else of the benchmark runs.
log "pgbench -N: scale $PGBENCH_SCALE, $PGBENCH_CLIENTS clients, ${PGBENCH_SECONDS}s"
psql "$PG_ADMIN" -qc "create database \"$PGB_DB\"" >/dev/null || die "cannot create database $PGB_DB"
PGB_URL=${PG_ADMIN%/*}/$PGB_DB
"$PGBENCH" -i -q -s "$PGBENCH_SCALE" "$PGB_URL" >/dev/null 2>&1 || die "pgbench -i failed"
{ echo "load average before: $(loadavg)"; "$PGBENCH" -N -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" "$PGB_URL" 2>&1; echo "load average after: $(loadavg)"; } >"$OUT/pgbench.txt"
PGBENCH_TPS=$(awk '/^tps = / {print int($3); exit}' "$OUT/pgbench.txt")
PGBENCH_LAT=$(awk '/^latency average/ {print $4; exit}' "$OUT/pgbench.txt")
log "pgbench -N: $PGBENCH_TPS tps (latency average $PGBENCH_LAT ms)"
psql "$PG_ADMIN" -qc "drop database if exists \"$PGB_DB\" with (force)" >/dev/null 2>&1

bench_store_up
COMMON=(ConnectionStrings__Postgres="$PG" Messaging__BrokerUserPrefix="$VHOST." Platform__UseDevelopmentKeys=true)
CALLBACK_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n') WEBHOOK_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
start tenant services/GoCoffee.Tenant GoCoffee.Tenant Urls=http://127.0.0.1:$PORT_TENANT "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[tenant]}"
start agent services/GoCoffee.ClusterAgent GoCoffee.ClusterAgent Urls=http://127.0.0.1:$PORT_AGENT "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[cluster-agent]}" \
  ClusterAgent__Target=manifests ClusterAgent__ManifestsPath="$OUT/manifests"
# Webhooks to the driver on loopback need AllowPrivateNetworks (as in development and the tests); nothing else changes.
start orders services/GoCoffee.Orders GoCoffee.Orders Urls=http://127.0.0.1:$PORT_ORDERS "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[orders]}" \
  Payments__Sandbox__CallbackSecret="$CALLBACK_SECRET" Webhooks__SecretKey="$WEBHOOK_SECRET_KEY" Webhooks__AllowPrivateNetworks=true ${ORDERS_ENV:-}
start gateway gateway/GoCoffee.Gateway GoCoffee.Gateway Urls=http://127.0.0.1:$PORT_GATEWAY ConnectionStrings__RabbitMq="${MQ_OF[gateway]}" \
  Messaging__BrokerUserPrefix="$VHOST." Platform__UseDevelopmentKeys=true \
  ReverseProxy__Clusters__tenant__Destinations__primary__Address=http://127.0.0.1:$PORT_TENANT \
  ReverseProxy__Clusters__orders__Destinations__primary__Address=http://127.0.0.1:$PORT_ORDERS \
  ReverseProxy__Clusters__ai-workload__Destinations__primary__Address=http://127.0.0.1:9 \
  ReverseProxy__Clusters__observability__Destinations__primary__Address=http://127.0.0.1:9 \
  ReverseProxy__Clusters__web3__Destinations__primary__Address=http://127.0.0.1:9 \
  Gateway__RateLimits__Overrides__$TENANT=100000000 ${GATEWAY_ENV:-}

for port in $PORT_TENANT $PORT_AGENT $PORT_ORDERS; do until_ok "service :$port" 120 "http://127.0.0.1:$port/health/ready"; done

# The tenant, created through the gateway by a platform operator; its API key is what the driver uses.
ADMIN=$(bash "$ROOT/scripts/dev-token.sh" --sub bench --ttl 7200)
until_ok "the gateway" 120 "http://127.0.0.1:$PORT_GATEWAY/api/tenants" -H "Authorization: Bearer $ADMIN"
key=$(curl -sf -X POST -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' "http://127.0.0.1:$PORT_GATEWAY/api/tenants" -d "{
  \"apiVersion\": \"tenant.gocoffee.dev/v1\", \"kind\": \"Tenant\", \"metadata\": {\"name\": \"$TENANT\"},
  \"spec\": {\"tenantId\": \"$TENANT\", \"tier\": \"enterprise\", \"resources\": {\"namespaces\": 1, \"cpu\": \"4\", \"memory\": \"8Gi\", \"storage\": \"20Gi\"}, \"owners\": [\"bench@example.com\"]}
}" | jq -r .apiKey.key) || die "could not create tenant $TENANT through the gateway"
until_ok "the orders menu of $TENANT through the gateway" 120 "http://127.0.0.1:$PORT_GATEWAY/api/orders/$TENANT/menu" -H "X-Api-Key: $key"

DRIVER=(dotnet "$ROOT/bench/orders/Driver/bin/Release/net10.0/GoCoffee.Bench.Orders.dll" --gateway "http://127.0.0.1:$PORT_GATEWAY" --tenant "$TENANT"
  --api-key "$key" --webhook-port "$PORT_WEBHOOK" --postgres "$PG")

phase() { # label driver-args...
  local label=$1; shift
  local file="$OUT/phase-$label.json" before_cpu=() name
  local load_before; load_before=$(loadavg)
  for name in gateway orders tenant agent; do before_cpu+=("$(cpu_ms "${PID_OF[$name]}")"); done
  local pg_before; pg_before=$(pg_cpu_ms)
  local busy_before wall_before; busy_before=$(busy_ms); wall_before=$(date +%s%3N)
  "${DRIVER[@]}" --label "$label" "$@" >"$file.tmp" 2>"$OUT/driver-$label.log" || { cat "$OUT/driver-$label.log" >&2; die "driver failed in phase $label"; }
  local cpu=() i=0
  for name in gateway orders tenant agent; do cpu+=("$(( $(cpu_ms "${PID_OF[$name]}") - before_cpu[i] ))"); i=$((i + 1)); done
  local pg_cpu=$(( $(pg_cpu_ms) - pg_before ))
  local busy=$(( $(busy_ms) - busy_before )) wall=$(( $(date +%s%3N) - wall_before ))
  jq --arg lb "$load_before" --arg la "$(loadavg)" --argjson g "${cpu[0]}" --argjson o "${cpu[1]}" --argjson t "${cpu[2]}" --argjson a "${cpu[3]}" --argjson p "$pg_cpu" \
    --argjson busy "$busy" --argjson wall "$wall" \
    '. + {loadBefore: $lb, loadAfter: $la, machineBusyCores: (($busy / $wall * 100 | round) / 100), cpuMs: {gateway: $g, orders: $o, tenant: $t, agent: $a, postgres: $p}}' "$file.tmp" >"$file"
  rm -f "$file.tmp"
  jq -c '{label: .label, completedPerSecondInWindow, accepted, completedByWebhook, lost, duplicated, commitsPerOrder, p99: .calls.all.p99Ms, e2eP99: .endToEndP99Ms}' "$file" >&2
}
# CPU time the whole machine was busy (all cores, every process: others' work on this shared machine included).
busy_ms() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int(($2 + $3 + $4 + $7 + $8) * 1000 / hz) }' /proc/stat; }
# CPU of every PostgreSQL process (the server's and all backends, other users' included: the machine is shared).
pg_cpu_ms() { local total=0 pid; for pid in $(pgrep -x postgres); do total=$((total + $(cpu_ms "$pid" 2>/dev/null || echo 0))); done; echo $total; }

log "warm-up: 20 orders/s for 10 s (not reported)"
phase warmup --mode rate --rate 20 --duration 10 --warmup 0 --drain 30
log "one order at a time for 15 s (the path's latency and its commits, nothing shared between orders)"
phase serial --mode max --concurrency 1 --duration 15 --warmup 0 --drain 30
for rate in $RATES; do
  log "offered rate $rate orders/s for ${DURATION}s"
  phase "rate-$rate" --mode rate --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" --drain 30
done
log "max: $CONCURRENCY orders in flight for ${MAX_DURATION}s"
phase max --mode max --concurrency "$CONCURRENCY" --duration "$MAX_DURATION" --warmup "$WARMUP" --drain 30
MACHINE_LOAD_END=$(loadavg)

# The report.
if git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
  COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- services gateway || echo "+changes")
else
  COMMIT=${BENCH_COMMIT:-unknown}   # a tree exported without git (git archive), to measure another commit with this script
fi
jq -s --arg tps "$PGBENCH_TPS" --arg commit "$COMMIT" --arg date "$(date -u '+%Y-%m-%d %H:%M UTC')" --arg ls "$MACHINE_LOAD_START" --arg le "$MACHINE_LOAD_END" \
  '{date: $date, commit: $commit, pgbenchTps: ($tps | tonumber), loadStart: $ls, loadEnd: $le, phases: map(select(.label != "warmup"))}' \
  "$OUT"/phase-*.json >"$OUT/results.json"
{
  echo "Orders benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT; load average $MACHINE_LOAD_START at the start, $MACHINE_LOAD_END at the end."
  echo
  echo "PostgreSQL alone: pgbench -N -c $PGBENCH_CLIENTS -j 2 -T $PGBENCH_SECONDS (scale $PGBENCH_SCALE): **$PGBENCH_TPS tps** (latency average $PGBENCH_LAT ms)."
  echo
  echo "| phase | completed/s | accepted | completed | lost | duplicated | API p50 | API p99 | place p99 | pay p99 | step p99 | order e2e p50 / p99 | commits/order | rows written/order | commits/s ÷ pgbench tps | WAL syncs/order | CPU ms/order gateway / orders / tenant / postgres / driver | machine busy (of 2 cores) | load before → after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for f in "$OUT/phase-serial.json" $(for rate in $RATES; do echo "$OUT/phase-rate-$rate.json"; done) "$OUT/phase-max.json"; do
    jq -r --argjson tps "$PGBENCH_TPS" '
      def r(x): if x == null then "–" else (x * 10 | round / 10 | tostring) end;
      . as $p | (.completedByWebhook) as $n |
      "| \(if .mode == "rate" then "offered \(.offeredRate)/s" elif .concurrency == 1 then "one at a time" else "max, \(.concurrency) in flight" end) | **\(.completedPerSecondInWindow)** | \(.accepted) | \(.completedByWebhook) | \(.lost) | \(.duplicated) | \(.calls.all.p50Ms) ms | **\(.calls.all.p99Ms) ms** | \(.calls.place.p99Ms) ms | \(.calls.pay.p99Ms) ms | \([.calls.brewing.p99Ms, .calls.ready.p99Ms, .calls["picked-up"].p99Ms] | max) ms | \(.endToEndP50Ms) / \(.endToEndP99Ms) ms | \(.commitsPerOrder) | \(.rowsWrittenPerOrder) | \(r(.commitsPerOrder * .completedPerSecondInWindow / $tps * 100))% | \(.walSyncsPerOrder) | \(r(.cpuMs.gateway / $n)) / \(r(.cpuMs.orders / $n)) / \(r(.cpuMs.tenant / $n)) / \(r(.cpuMs.postgres / $n)) / \(.driverCpuMsPerOrder) | \(.machineBusyCores) | \(.loadBefore) → \(.loadAfter) |"' "$f"
  done
} >"$OUT/results.md"
cat "$OUT/results.md"
