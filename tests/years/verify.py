#!/usr/bin/env python3
"""Check that xxgk reads every report of tests/years/corpus as make.py wrote it.

    python3 tests/years/verify.py [XXGK_BINARY]

Ingests the corpus into a temporary folder and compares, report by report:
status ok, year, template, org_name, every disclosure_counts / litigation /
procurement cell against the values make.py generated; and that there is no
finding of severity error. Needs pyarrow. Exit status 1 on any mismatch.
"""

import os
import subprocess
import sys
import tempfile
from decimal import Decimal

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402


def read(out, name):
    files = []
    for root, _, names in os.walk(os.path.join(out, name)):
        files += [os.path.join(root, n) for n in names if n.endswith(".parquet")]
    rows = []
    for f in sorted(files):
        rows += pq.read_table(f).to_pylist()
    return rows


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
        "~/.cache/xxgk-target/debug/xxgk")
    reports = make.build()
    diffs = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        subprocess.run([binary, "ingest", make.CORPUS, "--out", out, "-q"], check=True)
        rep_rows = {r["source_path"]: r for r in read(out, "reports")}
        counts = read(out, "disclosure_counts")
        lit = read(out, "litigation")
        proc = read(out, "procurement")
        findings = read(out, "findings")

    if len(rep_rows) != len(reports):
        diffs.append(f"reports: {len(rep_rows)} rows, expected {len(reports)}")
    for rep in reports:
        sp = rep["source_path"]
        row = rep_rows.get(sp)
        if row is None:
            diffs.append(f"{sp}: no reports row")
            continue
        rid = row["report_id"]
        for k, want in (("status", "ok"), ("year", rep["year"]),
                        ("template", rep["template"]),
                        # xxgk reports the name without the spaces printed inside it.
                        ("org_name", "".join(rep["org_name"].split()))):
            if row[k] != want:
                diffs.append(f"{sp}: {k} = {row[k]!r}, expected {want!r}")

        want = {}
        for (t, r, c), v in rep["counts"].items():
            want[(t, r, c)] = v
        for r, _ in make.request_rows(rep["template"]):
            for c in make.REQ_COLS:
                want[("requests", r, c)] = rep["req"][(r, c)]
        got = {(x["table_key"], x["row_key"], x["col_key"]): x["value"]
               for x in counts if x["report_id"] == rid}
        compare(diffs, sp, "disclosure_counts", want, got)

        want = {(p, o): v for (p, o), v in rep["lit"].items()}
        got = {(x["proceeding_key"], x["outcome_key"]): x["value"]
               for x in lit if x["report_id"] == rid}
        compare(diffs, sp, "litigation", want, got)

        want = {}
        for item, p in rep["procurement"].items():
            want[(item, "project_count")] = p["project_count"]
            want[(item, "amount_yuan")] = make.yuan(p["amount_wan"])
            want[(item, "amount_unit")] = "万元"
        got = {}
        for x in proc:
            if x["report_id"] == rid:
                got[(x["item_key"], "project_count")] = x["project_count"]
                got[(x["item_key"], "amount_yuan")] = (
                    None if x["amount_yuan"] is None
                    else Decimal(x["amount_yuan"]).quantize(Decimal("0.01")))
                got[(x["item_key"], "amount_unit")] = x["amount_unit"]
        compare(diffs, sp, "procurement", want, got)

        for f in findings:
            if f["report_id"] == rid:
                msg = f"{sp}: finding {f['severity']} {f['code']} " \
                      f"{f['table_key']}.{f['row_key']}.{f['col_key']}: {f['message']}"
                if f["severity"] == "error":
                    diffs.append(msg)
                else:
                    print("note:", msg)

    for d in diffs:
        print(d)
    print(f"{len(reports)} reports, {len(diffs)} mismatches")
    sys.exit(1 if diffs else 0)


def compare(diffs, sp, name, want, got):
    for k, v in want.items():
        if k not in got:
            diffs.append(f"{sp}: {name} {'.'.join(k)} missing, expected {v!r}")
        elif got[k] != v:
            diffs.append(f"{sp}: {name} {'.'.join(k)} = {got[k]!r}, expected {v!r}")
    for k in got:
        if k not in want:
            diffs.append(f"{sp}: {name} {'.'.join(k)} = {got[k]!r} not expected")


if __name__ == "__main__":
    main()
