#!/usr/bin/env bash
# `npm run test:contention [-- RUNS]`: the whole `npm test`, RUNS times in a row (default 3),
# while `stress-ng --cpu N` (N = the number of cores) keeps every core busy with an unrelated
# CPU hog (issue 15 item 6). A test that waits on time instead of on the condition that
# matters fails here. Not part of `npm test` or CI: run it by hand, as root, on a machine with
# Debian's apt (stress-ng is installed from Debian's packages when missing).
#
# Prints one line per run ("run 2/3: 960 passed, 0 failed in 612 s") and a summary; each
# run's Jest output is kept in .local/contention/run-<n>.log. Exits 1 if any run failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs="${1:-3}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: npm run test:contention [-- RUNS]   (RUNS: a positive number, default 3)" >&2
  exit 2
fi

if ! command -v stress-ng >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "stress-ng is missing; run as root so it can be installed from Debian's packages" >&2
    exit 1
  fi
  echo "[contention] installing stress-ng from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >/dev/null
fi

cores="$(nproc)"
logs=.local/contention
mkdir -p "$logs"

stress-ng --cpu "$cores" --timeout 0 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true' EXIT INT TERM
echo "[contention] stress-ng --cpu $cores running (pid $hog)"

failed=0
for ((run = 1; run <= runs; run++)); do
  results="$PWD/$logs/run-$run.json"
  rm -f "$results"
  started=$SECONDS
  echo "[contention] run $run/$runs: npm test (output in $logs/run-$run.log)…"
  status=0
  JEST_JSON_OUTPUT="$results" npm test </dev/null >"$logs/run-$run.log" 2>&1 || status=$?
  summary="no Jest results (the check or Jest itself failed before reporting; see the log)"
  if [[ -s "$results" ]]; then
    summary="$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const failing = r.testResults.flatMap((f) => f.testResults.filter((a) => a.status === "failed").map((a) => a.fullName));
      console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (failing.length ? `: ${failing.join("; ")}` : ""));
    ' "$results")"
  fi
  echo "[contention] run $run/$runs: $summary in $((SECONDS - started)) s (exit $status)"
  if [[ $status -ne 0 ]]; then failed=$((failed + 1)); fi
done

echo "[contention] $((runs - failed)) of $runs runs green beside stress-ng --cpu $cores"
[[ $failed -eq 0 ]]
