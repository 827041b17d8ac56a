#!/usr/bin/env bash
# The derive stage at 100k, 300k and 1M reports (BENCHMARKS.md, issue 13):
# wall time and peak RSS of an unsharded ingest (which ends with the derive
# stage) and of `xxgk derive` alone over its output.
#
#   benches/derive_scale.sh XXGK CORPUS WORK [SIZES...]
#
# XXGK is a release binary; CORPUS a corpus of `xxgk-synth --n 1000000
# --seed 1` (its r/ folder: 1,000 reports per subfolder), of which the first
# N/1000 subfolders are taken for size N; WORK a scratch folder. Prints one
# markdown table row per size.
set -euo pipefail
xxgk=$1 corpus=$2 work=$3
shift 3
sizes=("${@:-100000 300000 1000000}")
[ $# -eq 0 ] && sizes=(100000 300000 1000000)
mkdir -p "$work"
rss() { grep "Maximum resident" "$1" | awk '{printf "%.0f", $6/1024}'; }
wall() { grep "Elapsed (wall" "$1" | awk '{print $8}'; }
for n in "${sizes[@]}"; do
  dirs=$((n / 1000))
  sub="$work/corpus-$n"
  rm -rf "$sub" "$work/out-$n"
  mkdir -p "$sub"
  for d in $(ls "$corpus" | head -n "$dirs"); do cp -al "$corpus/$d" "$sub/$d"; done
  /usr/bin/time -v "$xxgk" ingest "$sub" --out "$work/out-$n" --quiet --timings \
    2> "$work/ingest-$n.log"
  derive_in=$(grep -o 'derive [0-9.]*' "$work/ingest-$n.log" | awk '{print $2}')
  /usr/bin/time -v "$xxgk" derive "$work/out-$n" --quiet 2> "$work/derive-$n.log"
  buckets=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['derive']['buckets'])" "$work/out-$n/_run.json")
  echo "| $n | $(wall "$work/ingest-$n.log") | ${derive_in} s | $(rss "$work/ingest-$n.log") MB | $(wall "$work/derive-$n.log") | $(rss "$work/derive-$n.log") MB | $buckets |"
done
