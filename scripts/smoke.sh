#!/usr/bin/env bash
# Smoke test of a running platform (started by ./run.sh): every service's readiness through the
# gateway, OpenAPI documents, the API reference, the gateway refusing an unauthenticated call, a bus
# round trip (observability probe answered by every service, called as a platform operator with a
# development token from scripts/dev-token.sh) and, if the Aspire dashboard runs, that it received
# telemetry from every process.
#
#   scripts/smoke.sh            (in a second terminal, once the app host logged "Go Coffee is up")
#
# Environment: GATEWAY_URL [http://127.0.0.1:8080], DASHBOARD_URL [http://127.0.0.1:18888],
#              SMOKE_TIMEOUT seconds to wait for probe answers / telemetry [30]
set -uo pipefail

GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:8080}
DASHBOARD_URL=${DASHBOARD_URL:-http://127.0.0.1:18888}
TIMEOUT=${SMOKE_TIMEOUT:-30}
# name | direct port | API prefix (routed by the gateway unless cluster-agent)
SERVICES=(
  "tenant|5101|/api/tenants"
  "ai-workload|5102|/api/ai"
  "observability|5103|/api/observability"
  "orders|5104|/api/orders"
  "web3|5105|/api/web3"
  "cluster-agent|5106|/api/cluster-agent"
)

# A platform operator's token, signed with the development key ./run.sh's gateway accepts.
TOKEN=$(bash "$(dirname "${BASH_SOURCE[0]}")/dev-token.sh" --sub smoke-test)
AUTH=(-H "Authorization: Bearer $TOKEN")

passed=0 failed=0
pass() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
status_of() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$@" 2>/dev/null || true; }

expect_200() { # label url [seconds to keep trying]
  local code deadline=$((SECONDS + ${3:-0}))
  code=$(status_of "$2")
  while [[ $code != 200 ]] && ((SECONDS < deadline)); do sleep 1; code=$(status_of "$2"); done
  if [[ $code == 200 ]]; then pass "$1 ($2)"; else fail "$1 ($2) -> HTTP ${code:-none}"; fi
}

echo "health and OpenAPI:"
expect_200 "gateway ready" "$GATEWAY_URL/health/ready"
for s in "${SERVICES[@]}"; do
  IFS='|' read -r name port prefix <<<"$s"
  if [[ $name == cluster-agent ]]; then
    expect_200 "$name ready (direct, not routed by the gateway)" "http://127.0.0.1:$port/health/ready"
  else
    # The gateway probes each service every 5 s: one that came up after the gateway's last probe is routed after the next.
    expect_200 "$name ready via gateway" "$GATEWAY_URL$prefix/health/ready" 15
  fi
  expect_200 "$name OpenAPI" "http://127.0.0.1:$port$prefix/openapi/v1.json"
done

expect_200 "API reference" "$GATEWAY_URL/docs/"
code=$(status_of "$GATEWAY_URL/api/tenants")
if [[ $code == 401 ]]; then pass "gateway refuses a call without credentials (401)"; else fail "GET /api/tenants without credentials -> HTTP ${code:-none}, expected 401"; fi

echo "bus round trip (POST $GATEWAY_URL/api/observability/probes):"
headers=$(curl -s -D - -o /dev/null --max-time 10 -X POST "${AUTH[@]}" "$GATEWAY_URL/api/observability/probes" | tr -d '\r')
code=$(head -n1 <<<"$headers" | awk '{print $2}')
location=$(awk 'tolower($1)=="location:"{print $2}' <<<"$headers")
if [[ $code == 202 && -n $location ]]; then
  pass "probe accepted (202, Location: $location)"
  [[ $location == http* ]] || location="$GATEWAY_URL$location"
  deadline=$((SECONDS + TIMEOUT))
  while :; do
    body=$(curl -s --max-time 5 "${AUTH[@]}" "$location" || true)
    missing=()
    for s in "${SERVICES[@]}"; do
      name=${s%%|*}
      grep -q "\"service\":\"$name\"" <<<"$body" || missing+=("$name")
    done
    ((${#missing[@]} == 0 || SECONDS >= deadline)) && break
    sleep 0.5
  done
  grep -o '"service":"[^"]*"[^}]*"roundTripMs":[0-9.]*' <<<"$body" \
    | sed -E 's/"service":"([^"]*)".*"roundTripMs":([0-9]+)(\.[0-9]*)?/        \1 answered in \2 ms/'
  if ((${#missing[@]} == 0)); then pass "every service answered the probe"; else fail "no probe answer within ${TIMEOUT}s from: ${missing[*]} (last answer: $body)"; fi
else
  fail "POST /api/observability/probes -> HTTP ${code:-none}, Location '${location}'"
fi

if [[ $(status_of "$DASHBOARD_URL/") =~ ^(200|302)$ ]]; then
  echo "telemetry in the Aspire dashboard ($DASHBOARD_URL):"
  deadline=$((SECONDS + TIMEOUT))
  while :; do
    resources=$(curl -s --max-time 5 "$DASHBOARD_URL/api/telemetry/resources" || true)
    missing=()
    for name in gateway "${SERVICES[@]%%|*}"; do
      grep -q "\"$name\"" <<<"$resources" || missing+=("$name")
    done
    ((${#missing[@]} == 0 || SECONDS >= deadline)) && break
    sleep 1
  done
  if ((${#missing[@]} == 0)); then pass "every process reports telemetry"; else fail "no telemetry from: ${missing[*]}"; fi
  traces=$(curl -s --max-time 5 "$DASHBOARD_URL/api/telemetry/traces" | grep -o '"totalCount":[0-9]*' | head -n1 | cut -d: -f2)
  if [[ ${traces:-0} -gt 0 ]]; then pass "dashboard holds $traces traces"; else fail "dashboard holds no traces"; fi
else
  echo "(dashboard not running at $DASHBOARD_URL - telemetry not checked)"
fi

echo "smoke: $passed passed, $failed failed"
((failed == 0))
