#!/usr/bin/env bash
# The crypto benchmark: an invoice settles within one block interval after its last required confirmation.
# Runs tests/GoCoffee.Web3.Tests' SettlementLatencyBenchmark against anvil mining a block every second (real PostgreSQL
# and RabbitMQ on 127.0.0.1, as the tests use them) and prints min / median / max. Results: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
PATH="$(scripts/tools.sh):$PATH"
dotnet test tests/GoCoffee.Web3.Tests -c Release --filter "FullyQualifiedName~SettlementLatencyBenchmark" --logger "console;verbosity=detailed" 2>&1 \
  | grep -E "settlement after|Passed!|Failed!"
