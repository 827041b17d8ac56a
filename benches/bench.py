#!/usr/bin/env python3
"""End-to-end benchmark of `xxgk ingest` against the floor of reading the files.

    python3 benches/bench.py --n 100000 [--dir /tmp/xxgk-bench] [--threads N]

1. builds the release binaries (cargo build --release --locked --workspace);
2. generates a synthetic corpus of N reports once (`xxgk-synth DIR --n N --seed 1`;
   kept for the next run);
3. warms the page cache by reading every file, then measures the floor twice
   and keeps the faster: `cat` of every file (find | xargs cat > /dev/null),
   and ripgrep counting 第二十条 if `rg` is installed;
4. runs `xxgk ingest DIR --out OUT --quiet --timings` under /usr/bin/time and
   reports wall time, reports/s, MB/s, CPU time, peak RSS, the ratio to the
   floor and xxgk's own time per stage.

It prints a Markdown table row block to paste into BENCHMARKS.md.
"""

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def timed(cmd):
    t = time.perf_counter()
    sh(cmd, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", default="/tmp/xxgk-bench")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--keep-out", action="store_true", help="keep the datasets written")
    a = ap.parse_args()

    sh(f"cd {ROOT} && cargo build --release --locked -q --workspace")
    xxgk = os.path.join(target_dir(), "release", "xxgk")
    synth = os.path.join(target_dir(), "release", "xxgk-synth")
    corpus = os.path.join(a.dir, f"synth-{a.n}")
    if not os.path.exists(os.path.join(corpus, ".complete")):
        shutil.rmtree(corpus, ignore_errors=True)
        t = timed(f"{synth} {corpus} --n {a.n} --seed 1")
        open(os.path.join(corpus, ".complete"), "w").close()
        print(f"generated {a.n} reports in {t:.1f}s", file=sys.stderr)
    files_dir = os.path.join(corpus, "r")
    nbytes = int(subprocess.run(["du", "-sb", files_dir], capture_output=True, text=True, check=True).stdout.split()[0])

    cat = f"find {files_dir} -type f -print0 | xargs -0 cat > /dev/null"
    timed(cat)  # warm the page cache
    floor_cat = min(timed(cat) for _ in range(2))
    floor_rg = None
    if shutil.which("rg"):
        rg = f"rg -c 第二十条 {files_dir} > /dev/null || true"
        floor_rg = min(timed(rg) for _ in range(2))

    out = os.path.join(a.dir, f"out-{a.n}")
    shutil.rmtree(out, ignore_errors=True)
    threads = f"--threads {a.threads}" if a.threads else ""
    cmd = f"/usr/bin/time -f 'TIME %e %U %S %M' {xxgk} ingest {corpus} --out {out} --quiet --timings {threads}"
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        sys.exit(p.returncode)
    m = re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", p.stderr)
    wall, user, sys_, rss_kb = float(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4))
    stages = re.search(r"stage seconds \(workers summed\): (.*)", p.stderr).group(1)
    if not a.keep_out:
        shutil.rmtree(out, ignore_errors=True)

    cpu = os.cpu_count()
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mb = nbytes / 1e6
    print(f"- date: {time.strftime('%Y-%m-%d')}; machine: {cpu} cores, {model}, {platform.system()} {platform.release()}")
    print(f"- command: `python3 benches/bench.py --n {a.n}{' --threads ' + str(a.threads) if a.threads else ''}`")
    print(f"- corpus: {a.n} reports, {mb:.0f} MB (`xxgk-synth --seed 1`)")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| floor: cat every file | {floor_cat:.2f} s ({mb / floor_cat:.0f} MB/s) |")
    if floor_rg is not None:
        print(f"| floor: rg -c 第二十条 | {floor_rg:.2f} s ({mb / floor_rg:.0f} MB/s) |")
    print(f"| xxgk ingest wall | {wall:.2f} s |")
    print(f"| reports/s | {a.n / wall:,.0f} |")
    print(f"| MB/s | {mb / wall:.1f} |")
    print(f"| CPU user + sys | {user:.2f} + {sys_:.2f} s |")
    print(f"| peak RSS | {rss_kb / 1024:.0f} MB |")
    print(f"| ratio to cat floor | {wall / floor_cat:.1f}× |")
    if floor_rg is not None:
        print(f"| ratio to rg floor | {wall / floor_rg:.1f}× |")
    print(f"| stages (s, workers summed) | {stages} |")


if __name__ == "__main__":
    main()
