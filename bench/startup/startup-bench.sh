#!/usr/bin/env bash
# How long `./run.sh` takes to bring the whole platform up, for this commit and a baseline commit, measured in the same
# run on the same machine. Each round makes a fresh clone of each commit (nothing built, the NuGet cache warm as on a
# developer's machine) and times, from starting ./run.sh until every process (five services, cluster-agent, gateway)
# answers /health/ready with 200:
#   cold  - in the fresh clone: ./run.sh builds what it runs, then starts it;
#   warm  - ./run.sh --no-build in the same clone, right after the cold run was stopped.
# Between runs ./run.sh is stopped with SIGTERM and the ports are waited free. Variants alternate within a round.
#
#   bench/startup/startup-bench.sh [ROUNDS]      (BASELINE=<commit> [the last bash-supervised run.sh], HEAD_COMMIT=<commit> [HEAD])
# Prints one line per run and a summary (median of each) to stdout. PostgreSQL and RabbitMQ must be up (scripts/infra.sh up).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${1:-2}
BASELINE=${BASELINE:-5478aeb}
HEAD_COMMIT=${HEAD_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}
PORTS=(5101 5102 5103 5104 5105 5106 8080)
WORK=$(mktemp -d /tmp/gocoffee-startup-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
all_ready() {
  local port
  for port in "${PORTS[@]}"; do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health/ready" 2>/dev/null || return 1
  done
}
ports_free() {
  local port
  for port in "${PORTS[@]}" 18888 18889; do [[ -z $(ss -Hltn "sport = :$port") ]] || return 1; done
}

# run <clone> <label> [run.sh args]: prints "<label> <seconds>"
run() {
  local clone=$1 label=$2; shift 2
  local log="$WORK/$label.$(now_ms).log" start pid
  until ports_free; do sleep 0.5; done
  start=$(now_ms)
  (cd "$clone" && exec setsid ./run.sh "$@") >"$log" 2>&1 &
  pid=$!
  until all_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "$label FAILED (see below)" >&2; tail -n 30 "$log" >&2; return 1; fi
    sleep 0.2
  done
  local elapsed=$(( $(now_ms) - start ))
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  printf '%s %d.%03d\n' "$label" $((elapsed / 1000)) $((elapsed % 1000))
}

results="$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
  variants=(baseline head); ((round % 2 == 0)) && variants=(head baseline)
  for variant in "${variants[@]}"; do
    commit=$BASELINE; [[ $variant == head ]] && commit=$HEAD_COMMIT
    clone="$WORK/$variant-$round"
    git clone -q "$ROOT" "$clone" && git -C "$clone" checkout -q "$commit"
    run "$clone" "$variant-cold" | tee -a "$results"
    run "$clone" "$variant-warm" --no-build | tee -a "$results"
    rm -rf "$clone"
  done
done

echo "median seconds over $ROUNDS round(s) (baseline $BASELINE, head $HEAD_COMMIT):"
for label in baseline-cold head-cold baseline-warm head-warm; do
  printf '  %-14s %s\n' "$label" "$(awk -v l="$label" '$1 == l {print $2}' "$results" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}')"
done
