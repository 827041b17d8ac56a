#!/usr/bin/env bash
# Ingest throughput against the cost of reading the files (BENCHMARKS.md,
# issue 14): the floor, then the ingest, on a warm page cache.
#
#   benches/throughput.sh XXGK CORPUS WORK [RUNS]
#
# XXGK is a release binary; CORPUS a folder of reports (e.g. the r/ folder of
# `xxgk-synth`); WORK a scratch folder. The floor reads every file as its
# format's plain reader would: `cat` for text, HTML and DOCX, `pdftotext
# -layout` (poppler) for PDF, two at a time as the ingest uses two cores. The
# ingest part is the wall time minus the derive stage's (`--timings`). Prints
# one markdown table row per run.
set -euo pipefail
xxgk=$1 corpus=$2 work=$3 runs=${4:-2}
mkdir -p "$work"
files=$(find "$corpus" -type f | wc -l)
pdfs=$(find "$corpus" -type f -iname '*.pdf' | wc -l)
# Warm the cache once.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null
secs() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.2f}")' "$1"; }
echo "| run | files | floor s | ingest s | reports/s | ingest ÷ floor | derive s | peak RSS MB | heap peak MiB (held) |"
echo "|---|---|---|---|---|---|---|---|---|"
for run in $(seq 1 "$runs"); do
  t0=$(date +%s.%N)
  find "$corpus" -type f ! -iname '*.pdf' -print0 | xargs -0 -P2 cat > /dev/null
  if [ "$pdfs" -gt 0 ]; then
    find "$corpus" -type f -iname '*.pdf' -print0 |
      xargs -0 -P2 -I{} pdftotext -layout {} /dev/null 2> /dev/null || true
  fi
  floor=$(secs "$t0")
  rm -rf "$work/out"
  /usr/bin/time -v "$xxgk" ingest "$corpus" --out "$work/out" --quiet --timings \
    2> "$work/ingest.log"
  wall=$(grep "Elapsed (wall" "$work/ingest.log" | awk '{print $8}' |
    awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  derive=$(grep -o 'derive [0-9.]*' "$work/ingest.log" | awk '{print $2}')
  # GNU time gives KiB; the targets are in MB (10^6 bytes).
  rss=$(grep "Maximum resident" "$work/ingest.log" | awk '{printf "%.0f", $6*1024/1e6}')
  heap=$(grep -o 'in use [0-9]* at its peak (allocator holding [0-9]*' "$work/ingest.log" |
    awk '{print $3 " (" $9 ")"}')
  python3 - "$run" "$files" "$floor" "$wall" "${derive:-0}" "$rss" "$heap" <<'EOF'
import sys
run, files, floor, wall, derive, rss, heap = sys.argv[1:]
ingest = float(wall) - float(derive)
print(f"| {run} | {int(files):,} | {float(floor):.2f} | {ingest:.2f} | {int(files)/ingest:,.0f} "
      f"| {ingest/float(floor):.1f}× | {float(derive):.2f} | {rss} | {heap} |")
EOF
  grep "stage seconds" "$work/ingest.log" >&2
done
