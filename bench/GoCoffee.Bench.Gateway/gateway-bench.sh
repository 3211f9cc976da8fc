#!/usr/bin/env bash
# Gateway benchmark: the same requests, in one run, with the same load tool (wrk) on the same machine, three ways:
#   direct      straight to the service, with the internal token the gateway would add
#   bare-yarp   through a YARP pass-through with nothing configured (bench/GoCoffee.Bench.Gateway/BareYarp)
#   yarp-telemetry  the same pass-through with the platform's request log line, traces and metrics (what every process
#               has), so the gateway's own features cost the difference between it and the gateway
#   gateway     through the Go Coffee gateway: API-key authentication, tenant resolution and access, the tenant's
#               rate limit (contracted override, so it is evaluated but not hit), request ids, logging, telemetry
# on GET /api/tenants/{id} (a tenant-scoped read from PostgreSQL, one document by id) and GET /api/ai/bench (the AI
# service answers 404 after checking the token: next to no work downstream, so the proxies' own cost shows); with
# ENDPOINTS="tenant-audit" also GET /api/tenants/{id}/audit (the tenant's event stream from PostgreSQL: a heavier read).
#
#   bench/GoCoffee.Bench.Gateway/gateway-bench.sh   [DURATION=10s CONNECTIONS=32 THREADS=2 ROUNDS=3 WARMUP=3s PROCESS_WARMUP=10s]
#
# GATEWAY_ENV="Name=value ..." adds settings to the gateway (to try one); TELEMETRY_ENV="..." to the gateway and the
# YARP with telemetry (OTEL_TRACES_SAMPLER=...); ENDPOINTS="tenant-read" measures one endpoint only, TARGETS="gateway"
# one target only (to profile it; the ratio columns then say "–").
# Needs PostgreSQL and RabbitMQ (scripts/infra.sh up) and wrk (installed with apt-get when missing, as root). Every
# process listens on 127.0.0.1 only; the run is bounded (about 8 x (PROCESS_WARMUP + ROUNDS x (WARMUP + DURATION))) and stops
# everything it started. Each target's rps, p50 and p99 is the median over ROUNDS (targets alternate within a round);
# the load average is recorded before and after. Results: .run/bench-gateway/results.md (and the raw wrk output).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="$ROOT/.run/bench-gateway"
DURATION=${DURATION:-10s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2} ROUNDS=${ROUNDS:-3} WARMUP=${WARMUP:-3s}
PROCESS_WARMUP=${PROCESS_WARMUP:-10s}
ENDPOINTS=${ENDPOINTS:-tenant-read ai-404}
TARGETS=${TARGETS:-direct bare-yarp yarp-telemetry gateway}
PG_ADMIN=${GOCOFFEE_BENCH_PG:-postgresql://gocoffee:gocoffee@127.0.0.1:5432/gocoffee}
RABBIT_API=${GOCOFFEE_BENCH_RABBITMQ_API:-http://gocoffee:gocoffee@127.0.0.1:15672/api}
TENANT=bench-gw
RUN_ID=$(date +%s)
DB=gc_bench_gw_$RUN_ID VHOST=gc-bench-gw-$RUN_ID
PORT_TENANT=58101 PORT_AI=58102 PORT_AGENT=58106 PORT_GATEWAY=58080 PORT_YARP=58081 PORT_YARP_TELEMETRY=58082

BENCH_SERVICES="tenant ai-workload cluster-agent gateway"
# shellcheck source=../lib/bench-platform.sh
source "$ROOT/bench/lib/bench-platform.sh"

command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y wrk >/dev/null; } || die "wrk is missing (apt-get install -y wrk)"
require_free_ports $PORT_TENANT $PORT_AI $PORT_AGENT $PORT_GATEWAY $PORT_YARP $PORT_YARP_TELEMETRY
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/wrk-*.txt

log "building (Release): tenant, ai-workload, cluster-agent, gateway, bare YARP"
build_projects ${BUILD_PROJECTS:-services/GoCoffee.Tenant services/GoCoffee.AiWorkload services/GoCoffee.ClusterAgent gateway/GoCoffee.Gateway bench/GoCoffee.Bench.Gateway/BareYarp}

# Each process logs in as its own broker user with production's permissions (scripts/broker-permissions.tsv), as run.sh does.
bench_store_up
COMMON=(ConnectionStrings__Postgres="$PG" Messaging__BrokerUserPrefix="$VHOST." Platform__UseDevelopmentKeys=true)
start tenant services/GoCoffee.Tenant GoCoffee.Tenant Urls=http://127.0.0.1:$PORT_TENANT "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[tenant]}"
start ai services/GoCoffee.AiWorkload GoCoffee.AiWorkload Urls=http://127.0.0.1:$PORT_AI "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[ai-workload]}"
start agent services/GoCoffee.ClusterAgent GoCoffee.ClusterAgent Urls=http://127.0.0.1:$PORT_AGENT "${COMMON[@]}" ConnectionStrings__RabbitMq="${MQ_OF[cluster-agent]}" \
  ClusterAgent__Target=manifests ClusterAgent__ManifestsPath="$OUT/manifests"
start gateway gateway/GoCoffee.Gateway GoCoffee.Gateway Urls=http://127.0.0.1:$PORT_GATEWAY ConnectionStrings__RabbitMq="${MQ_OF[gateway]}" \
  Messaging__BrokerUserPrefix="$VHOST." Platform__UseDevelopmentKeys=true \
  ReverseProxy__Clusters__tenant__Destinations__primary__Address=http://127.0.0.1:$PORT_TENANT \
  ReverseProxy__Clusters__ai-workload__Destinations__primary__Address=http://127.0.0.1:$PORT_AI \
  ReverseProxy__Clusters__observability__Destinations__primary__Address=http://127.0.0.1:9 \
  ReverseProxy__Clusters__orders__Destinations__primary__Address=http://127.0.0.1:9 \
  ReverseProxy__Clusters__web3__Destinations__primary__Address=http://127.0.0.1:9 \
  Gateway__RateLimits__Overrides__$TENANT=100000000 ${TELEMETRY_ENV:-} ${GATEWAY_ENV:-}
start bare-yarp bench/GoCoffee.Bench.Gateway/BareYarp GoCoffee.Bench.BareYarp Urls=http://127.0.0.1:$PORT_YARP \
  Bench__Tenant=http://127.0.0.1:$PORT_TENANT Bench__Ai=http://127.0.0.1:$PORT_AI
start yarp-telemetry bench/GoCoffee.Bench.Gateway/BareYarp GoCoffee.Bench.BareYarp Urls=http://127.0.0.1:$PORT_YARP_TELEMETRY \
  Bench__Tenant=http://127.0.0.1:$PORT_TENANT Bench__Ai=http://127.0.0.1:$PORT_AI Bench__PlatformTelemetry=true ${TELEMETRY_ENV:-}

for port in $PORT_TENANT $PORT_AI $PORT_AGENT; do until_ok "service :$port" 120 "http://127.0.0.1:$port/health/ready"; done
until_ok "bare YARP" 60 "http://127.0.0.1:$PORT_YARP/api/tenants/health/live"
until_ok "YARP with telemetry" 60 "http://127.0.0.1:$PORT_YARP_TELEMETRY/api/tenants/health/live"

ADMIN=$(bash "$ROOT/scripts/dev-token.sh" --internal --service tenant --sub bench --ttl 3600)
key=$(curl -sf -X POST -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' "http://127.0.0.1:$PORT_TENANT/api/tenants" -d "{
  \"apiVersion\": \"tenant.gocoffee.dev/v1\", \"kind\": \"Tenant\", \"metadata\": {\"name\": \"$TENANT\"},
  \"spec\": {\"tenantId\": \"$TENANT\", \"tier\": \"enterprise\", \"resources\": {\"namespaces\": 1, \"cpu\": \"4\", \"memory\": \"8Gi\", \"storage\": \"20Gi\"}, \"owners\": [\"bench@example.com\"]}
}" | jq -r .apiKey.key) || die "could not create tenant $TENANT"
until_ok "the gateway accepting $TENANT's API key" 120 "http://127.0.0.1:$PORT_GATEWAY/api/tenants/$TENANT" -H "X-Api-Key: $key"
# An internal token is valid at one service (its audience): one per service the endpoints reach.
declare -A INTERNAL_OF=(
  [tenant-read]=$(bash "$ROOT/scripts/dev-token.sh" --internal --service tenant --tenant $TENANT --sub apikey:bench --ttl 3600)
  [ai-404]=$(bash "$ROOT/scripts/dev-token.sh" --internal --service ai-workload --tenant $TENANT --sub apikey:bench --ttl 3600)
)
INTERNAL_OF[tenant-audit]=${INTERNAL_OF[tenant-read]}

# target -> "base url|header"
declare -A TARGET=(
  [direct]="http://127.0.0.1:|Authorization: Bearer @INTERNAL@"
  [bare-yarp]="http://127.0.0.1:$PORT_YARP|Authorization: Bearer @INTERNAL@"
  [yarp-telemetry]="http://127.0.0.1:$PORT_YARP_TELEMETRY|Authorization: Bearer @INTERNAL@"
  [gateway]="http://127.0.0.1:$PORT_GATEWAY|X-Api-Key: $key"
)
declare -A DIRECT_PORT=([tenant-read]=$PORT_TENANT [tenant-audit]=$PORT_TENANT [ai-404]=$PORT_AI)
declare -A PATH_OF=([tenant-read]="/api/tenants/$TENANT" [tenant-audit]="/api/tenants/$TENANT/audit" [ai-404]="/api/ai/bench")

to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

run_wrk() { # endpoint target round
  local endpoint=$1 target=$2 round=$3 base header url file
  IFS='|' read -r base header <<<"${TARGET[$target]}"
  header=${header//@INTERNAL@/${INTERNAL_OF[$endpoint]}}
  [[ $target == direct ]] && base="$base${DIRECT_PORT[$endpoint]}"
  url="$base${PATH_OF[$endpoint]}"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$header" "$url" >/dev/null
  file="$OUT/wrk-$endpoint-$target-$round.txt"
  echo "load average before: $(loadavg)" >"$file"
  local proxy_pid="" proxy_before=0 service_pid service_before
  [[ $target != direct ]] && proxy_pid=${PID_OF[$target]}   # every proxy runs under its target's name
  service_pid=${PID_OF[$([[ $endpoint == tenant-* ]] && echo tenant || echo ai)]}
  [[ -n $proxy_pid ]] && proxy_before=$(cpu_ms "$proxy_pid")
  service_before=$(cpu_ms "$service_pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$url" >>"$file"
  local proxy_cpu=0 service_cpu requests
  [[ -n $proxy_pid ]] && proxy_cpu=$(( $(cpu_ms "$proxy_pid") - proxy_before ))
  service_cpu=$(( $(cpu_ms "$service_pid") - service_before ))
  echo "load average after: $(loadavg)" >>"$file"
  requests=$(awk '/requests in/ {print $1}' "$file")
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$file")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$file")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$file")")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$file")
  local proxy_us service_us
  proxy_us=$(awk -v c="$proxy_cpu" -v n="$requests" 'BEGIN { printf "%.0f", 1000 * c / n }')
  service_us=$(awk -v c="$service_cpu" -v n="$requests" 'BEGIN { printf "%.0f", 1000 * c / n }')
  echo "$endpoint $target $round $rps $p50 $p99 ${bad:-0} $proxy_us $service_us" >>"$OUT/samples.txt"
  log "$(printf '%-12s %-10s round %d: %9.0f rps  p50 %6.2f ms  p99 %7.2f ms  non-2xx %-6s proxy CPU %4d us/req  service CPU %4d us/req' "$endpoint" "$target" "$round" "$rps" "$p50" "$p99" "${bad:-0}" "$proxy_us" "$service_us")"
}

# Every process JIT-compiles its hot paths in its first seconds (tiered compilation): warm every path up first.
log "warming up every endpoint and target for $PROCESS_WARMUP"
for endpoint in $ENDPOINTS; do
  for target in $TARGETS; do
    IFS='|' read -r base header <<<"${TARGET[$target]}"
    header=${header//@INTERNAL@/${INTERNAL_OF[$endpoint]}}
    [[ $target == direct ]] && base="$base${DIRECT_PORT[$endpoint]}"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$PROCESS_WARMUP" -H "$header" "$base${PATH_OF[$endpoint]}" >/dev/null
  done
done

: >"$OUT/samples.txt"
LOAD_BEFORE=$(loadavg)
log "load average before: $LOAD_BEFORE; wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  for endpoint in $ENDPOINTS; do
    order=($TARGETS)
    ((round % 2 == 0)) && order=($(tr ' ' '\n' <<<"$TARGETS" | tac))
    for target in "${order[@]}"; do run_wrk "$endpoint" "$target" "$round"; done
  done
done
LOAD_AFTER=$(loadavg)

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), .NET $(dotnet --version)."
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency after a $WARMUP warm-up, $ROUNDS rounds, medians. Load average before: $LOAD_BEFORE; after: $LOAD_AFTER."
  echo
  echo "| endpoint | target | rps | p50 ms | p99 ms | non-2xx | rps vs direct | rps vs bare YARP | rps vs YARP + telemetry | proxy CPU µs/req | service CPU µs/req |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for endpoint in $ENDPOINTS; do
    declare -A RPS=()
    for target in $TARGETS; do
      RPS[$target]=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $4}' "$OUT/samples.txt" | median)
    done
    for target in $TARGETS; do
      p50=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $5}' "$OUT/samples.txt" | median)
      p99=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $6}' "$OUT/samples.txt" | median)
      bad=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $7}' "$OUT/samples.txt" | median)
      pcpu=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $8}' "$OUT/samples.txt" | median)
      scpu=$(awk -v e="$endpoint" -v t="$target" '$1 == e && $2 == t {print $9}' "$OUT/samples.txt" | median)
      awk -v e="GET ${PATH_OF[$endpoint]}" -v t="$target" -v r="${RPS[$target]}" -v d="${RPS[direct]:-}" -v y="${RPS[bare-yarp]:-}" -v yt="${RPS[yarp-telemetry]:-}" -v p50="$p50" -v p99="$p99" -v bad="$bad" -v pc="$pcpu" -v sc="$scpu" \
        'function pct(of) { return of > 0 ? sprintf("%.0f %%", 100 * r / of) : "–" }
         BEGIN { printf "| %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %s |\n", e, t, r, p50, p99, bad, pct(d), pct(y), pct(yt), (t == "direct" ? "–" : pc), sc }'
    done
  done
} | tee "$OUT/results.md"
