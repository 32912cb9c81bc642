#!/usr/bin/env bash
# Runs every libFuzzer target N executions each and appends one line per target to
# tools/fuzz-log.txt: "<date> <target> <executions> <result>".
#   tools/fuzz.sh [N]            (default 1000000; builds the `fuzz` preset first)
# Seeds come from tests/fuzz/corpus/<name>/ and are never written to; new inputs found during a run
# go to build/fuzz/corpus-work/<name>/, and crash files to build/fuzz/findings/<name>/.
set -euo pipefail
runs="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
log="$root/tools/fuzz-log.txt"
status=0
for src in tests/fuzz/*_fuzz.cpp; do
  target="$(basename "$src" .cpp)"
  name="${target%_fuzz}"
  bin="build/fuzz/tests/fuzz/$target"
  work="build/fuzz/corpus-work/$name"
  findings="build/fuzz/findings/$name"
  mkdir -p "$work" "$findings" "tests/fuzz/corpus/$name"
  out="build/fuzz/$target.log"
  set +e
  "$bin" -runs="$runs" -artifact_prefix="$findings/" -print_final_stats=1 \
      "$work" "tests/fuzz/corpus/$name" >"$out" 2>&1
  rc=$?
  set -e
  done_runs="$(grep -oE 'Done [0-9]+ runs' "$out" | awk '{print $2}' | tail -1 || true)"
  if [[ $rc -eq 0 ]]; then
    result="ok"
  else
    result="finding(exit=$rc,see=$out)"
    status=1
  fi
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $target ${done_runs:-0} $result" | tee -a "$log"
done
exit $status
