#!/usr/bin/env bash
# The chain tests in two groups at once (the machines have 2 cores), each group on its own Anvil:
# ape-foundry starts a node at APE_FOUNDRY_HOST, and the CLI subprocesses the tests start inherit
# it. Each group's output is printed when both are done; the exit status is non-zero when either
# group failed.
#   tools/chain-tests.sh NETWORK
set -uo pipefail
network=${1:?network}
logs=$(mktemp -d)
declare -A groups=(
  [contracts]="18545 tests/unit/contracts tests/differential tests/invariant"
  [integration]="18546 tests/integration"
)
for name in "${!groups[@]}"; do
  read -r port paths <<<"${groups[$name]}"
  # shellcheck disable=SC2086
  (APE_FOUNDRY_HOST="http://127.0.0.1:$port" ape test $paths --network "$network" -q \
    >"$logs/$name.log" 2>&1; echo $? >"$logs/$name.rc") &
done
wait
status=0
for name in contracts integration; do
  echo "=== chain tests: $name (exit $(cat "$logs/$name.rc")) ==="
  cat "$logs/$name.log"
  [ "$(cat "$logs/$name.rc")" = 0 ] || status=1
done
rm -rf "$logs"
exit $status
