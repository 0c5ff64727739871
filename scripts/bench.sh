#!/usr/bin/env bash
# npm run bench [-- options of bench/run.mjs]: builds dist/, then the op table (bench/run.mjs) and, in Node,
# the N-D and float16 tables (bench/nd.mjs, which takes --quick only). With --browser chromium|firefox only
# bench/run.mjs runs, in that browser (Debian's, as the tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
node bench/run.mjs "$@"
for arg in "$@"; do
  case "$arg" in --browser | --browser=*) exit 0 ;; esac
done
nd=()
for arg in "$@"; do
  if [ "$arg" = --quick ]; then nd+=(--quick); fi
done
node bench/nd.mjs "${nd[@]+"${nd[@]}"}"
