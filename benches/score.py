#!/usr/bin/env python3
"""Scores xxgk's datasets against the oracles of a synthetic corpus.

    python3 benches/score.py CORPUS DATASETS [--examples N] [--json] [--dump FILE]

CORPUS holds r/**/*.{txt,html} and expected/*.json (written by xxgk-synth, tools/xxgk-synth);
DATASETS is the --out folder of `xxgk ingest CORPUS --out DATASETS`.
Compares, per report: year, template, encoding, format, org_contains, every
oracle cell (disclosure_counts, procurement.project_count, litigation), every
money cell (amount_yuan exactly, amount_raw) and the exact set of warning and
error finding codes. Prints cells matched / total, split clean vs noisy, by
layout, by noise kind and by encoding, then examples of mismatches.

Each oracle cell is also classified (as tests/common::accuracy does):
exact; wrong (a non-null value that is not the oracle's, or a value where
the oracle says null, or a value under a key the report never printed); miss
(null where the oracle has a value, with a finding on that table or the
report); silent miss (the same with no finding). These are printed by noise
kind and by layout, wrong and miss apart, with examples of each.
Exit status 0 when everything matches, 1 otherwise.
"""

import argparse
import glob
import json
import os
import sys
from collections import Counter, defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.dataset as ds


BROKEN_CHECKS = {"requests.balance", "requests.row_total", "requests.outcome_total", "litigation.total"}


def table(path, columns):
    if not os.path.isdir(path):
        return []
    t = ds.dataset(path)
    cols = [c for c in columns if c in t.schema.names]
    return t.to_table(columns=cols).to_pylist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("datasets")
    ap.add_argument("--examples", type=int, default=12)
    ap.add_argument("--json", action="store_true", help="print the totals as JSON too")
    ap.add_argument("--dump", metavar="FILE",
                    help="write every cell that is not exact as a JSON line (file, layout, noise, key, class, "
                         "expected, got, raw, the report's finding codes)")
    a = ap.parse_args()

    reports = table(f"{a.datasets}/reports",
                    ["report_id", "source_path", "year", "template", "org_name", "format", "encoding", "status"])
    by_path = {r["source_path"]: r for r in reports}
    counts = {}
    for r in table(f"{a.datasets}/disclosure_counts", ["report_id", "table_key", "row_key", "col_key", "value", "raw"]):
        counts[(r["report_id"], r["table_key"], r["row_key"], r["col_key"])] = (r["value"], r.get("raw"))
    lit = {}
    for r in table(f"{a.datasets}/litigation", ["report_id", "proceeding_key", "outcome_key", "value", "raw"]):
        lit[(r["report_id"], r["proceeding_key"], r["outcome_key"])] = (r["value"], r.get("raw"))
    proc = {}
    for r in table(f"{a.datasets}/procurement",
                   ["report_id", "item_key", "project_count", "amount_yuan", "amount_raw"]):
        proc[(r["report_id"], r["item_key"])] = r
    findings = defaultdict(set)
    messages = defaultdict(list)
    flagged = defaultdict(set)               # report_id -> tables with a finding ("" = report)
    for r in table(f"{a.datasets}/findings", ["report_id", "severity", "code", "message", "table_key"]):
        if not (r["code"] or "").startswith("cross_year."):
            flagged[r["report_id"]].add(r.get("table_key") or "")
        # Cross-year findings (the derive stage) are about two reports;
        # an oracle describes one.
        if r["severity"] != "info" and not (r["code"] or "").startswith("cross_year."):
            findings[r["report_id"]].add(r["code"])
            messages[r["report_id"]].append(f'{r["code"]}: {r.get("message")}')

    cells = defaultdict(lambda: [0, 0])      # group -> [matched, total]
    rep_ok = defaultdict(lambda: [0, 0])     # group -> [reports fully right, reports]
    examples = defaultdict(list)             # kind of mismatch -> examples
    classes = defaultdict(Counter)           # group -> {exact, wrong, miss, silent}
    by_rid = defaultdict(dict)               # report_id -> key -> (value, raw): every published value
    for (rid, tk, rk, ck), v in counts.items():
        by_rid[rid][f"{tk}.{rk}.{ck}"] = v
    for (rid, rk, ck), v in lit.items():
        by_rid[rid][f"litigation.{rk}.{ck}"] = v
    money_by_rid = defaultdict(dict)
    for (rid, item), r in proc.items():
        t = "art20_9" if item == "centralized_procurement" else "art20_8"
        col = "total_amount" if item == "centralized_procurement" else "amount"
        if item == "centralized_procurement":
            by_rid[rid][f"{t}.{item}.project_count"] = (r["project_count"], None)
        money_by_rid[rid][f"{t}.{item}.{col}"] = r

    def note(kind, text):
        if len(examples[kind]) < a.examples:
            examples[kind].append(text)

    dump = open(a.dump, "w", encoding="utf-8") if a.dump else None
    oracles = sorted(glob.glob(f"{a.corpus}/expected/*.json"))
    for path in oracles:
        o = json.load(open(path, encoding="utf-8"))
        noisy = bool(o.get("noise"))
        groups = ["all", "noisy" if noisy else "clean", "layout:" + o.get("layout", "?"),
                  "encoding:" + o.get("encoding", "?")] + ["noise:" + n for n in o.get("noise", [])]
        # A check broken on purpose (synth's BREAKABLE); the oracle's findings
        # also list what the printing calls for (amount.unit_unknown, …).
        if any(c in BROKEN_CHECKS for c in o.get("findings") or []):
            groups.append("broken_check")
        f = o["file"]
        rep = by_path.get(f)
        wrong = []
        if rep is None:
            wrong.append("no reports row")
            rid = None
        else:
            rid = rep["report_id"]
            for key, got in [("year", rep["year"]), ("template", rep["template"]),
                             ("encoding", rep.get("encoding")), ("format", rep.get("format"))]:
                if key in o and got != o[key]:
                    wrong.append(f"{key} {got!r}, expected {o[key]!r}")
            if o.get("org_contains") and o["org_contains"] not in (rep.get("org_name") or ""):
                wrong.append(f"org_name {rep.get('org_name')!r} lacks {o['org_contains']!r}")
        cls = []                             # (key, class, want, got)

        def missed(key):
            tk = key.split(".")[0]
            fl = flagged.get(rid, set())
            return "miss" if (tk in fl or "" in fl) else "silent"

        for key, want in o["cells"].items():
            v = by_rid.get(rid, {}).get(key, (None, None)) if rid else (None, None)
            if v[0] == want:
                c = "exact"
            elif v[0] is not None:
                c = "wrong"
            else:
                c = missed(key)
            cls.append((key, c, want, v))
        for key, want in (o.get("money") or {}).items():
            p = money_by_rid.get(rid, {}).get(key) if rid else None
            y = p["amount_yuan"] if p else None
            w = want.get("yuan")
            if (y is None and w is None) or (y is not None and w is not None and Decimal(y) == Decimal(w)):
                c = "exact"
            elif y is not None:
                c = "wrong"
            else:
                c = missed(key)
            cls.append((key, c, w, (y, p["amount_raw"] if p else None)))
        for key, v in by_rid.get(rid, {}).items() if rid else []:
            if v[0] is not None and key not in o["cells"]:
                cls.append((key, "wrong", "not printed", v))
        for key, p in money_by_rid.get(rid, {}).items() if rid else []:
            if p["amount_yuan"] is not None and key not in (o.get("money") or {}):
                cls.append((key, "wrong", "not printed", (p["amount_yuan"], p["amount_raw"])))
        for key, c, want, got in cls:
            for g in groups:
                classes[g][c] += 1
            if c != "exact" and dump:
                dump.write(json.dumps({"file": f, "layout": o.get("layout"), "noise": o.get("noise"), "key": key,
                                       "class": c, "expected": want, "got": got[0], "raw": got[1],
                                       "findings": sorted(findings.get(rid, set()))},
                                      ensure_ascii=False, default=str) + "\n")
            if c != "exact":
                note(f"{c} [{o.get('layout')}]",
                     f"{f}: {key}: got {got[0]!r} (raw {got[1]!r}), expected {want!r}; noise {o.get('noise')}")
        m = t = 0
        for key, want in o["cells"].items():
            tk, rk, ck = key.split(".")
            if rid is None:
                got = ("<no report>", None)
            elif tk == "litigation":
                got = lit.get((rid, rk, ck), ("<no row>", None))
            elif ck == "project_count":
                p = proc.get((rid, rk))
                got = (p["project_count"], None) if p else ("<no row>", None)
            else:
                got = counts.get((rid, tk, rk, ck), ("<no row>", None))
            t += 1
            if got[0] == want:
                m += 1
            else:
                wrong.append(f"{key}: {got[0]!r} (raw {got[1]!r}), expected {want!r}")
                note(f"cell [{o.get('layout')}]", f"{f}: {key}: got {got[0]!r} (raw {got[1]!r}), expected {want!r}; noise {o.get('noise')}")
        for key, want in (o.get("money") or {}).items():
            rk = key.split(".")[1]
            p = proc.get((rid, rk)) if rid else None
            t += 1
            ok = False
            if p is not None:
                y = p["amount_yuan"]
                ok_y = (y is None and want["yuan"] is None) or (
                    y is not None and want["yuan"] is not None and Decimal(y) == Decimal(want["yuan"]))
                ok = ok_y and p["amount_raw"] == want["raw"]
            if ok:
                m += 1
            else:
                got = (p["amount_yuan"], p["amount_raw"]) if p else "<no row>"
                wrong.append(f"{key}: {got}, expected {want}")
                note(f"money [{o.get('layout')}]", f"{f}: {key}: got {got}, expected {want}")
        if rid is not None:
            want_f = set(o.get("findings") or [])
            got_f = findings.get(rid, set())
            if want_f != got_f:
                wrong.append(f"findings {sorted(got_f)}, expected {sorted(want_f)}")
                note(f"findings [{o.get('layout')}]",
                     f"{f}: findings {sorted(got_f)}, expected {sorted(want_f)}; noise {o.get('noise')}; "
                     + " | ".join(messages.get(rid, [])[:3]))
        for w in wrong:
            if w.startswith(("year", "template", "encoding", "format", "org_name", "no reports")):
                note("report", f"{f}: {w}")
        for g in groups:
            cells[g][0] += m
            cells[g][1] += t
            rep_ok[g][0] += int(not wrong)
            rep_ok[g][1] += 1

    def line(g):
        cm, ct = cells[g]
        rm, rt = rep_ok[g]
        pc = 100.0 * cm / ct if ct else 100.0
        return f"{g:32} cells {cm:>9}/{ct:<9} ({pc:7.3f} %)   reports fully right {rm:>6}/{rt:<6}"

    print(f"{len(oracles)} oracles, {len(reports)} reports rows")
    order = ["all", "clean", "noisy", "broken_check"]
    order += sorted(g for g in cells if g.startswith("layout:"))
    order += sorted(g for g in cells if g.startswith("encoding:"))
    order += sorted(g for g in cells if g.startswith("noise:"))
    for g in order:
        if g in cells:
            print(line(g))
    print(f"\n{'group':32} {'cells':>9} {'exact':>9} {'wrong':>7} {'miss':>7} {'silent':>7} {'exact %':>9}")
    for g in order:
        if g in classes:
            c = classes[g]
            n = sum(c.values())
            print(f"{g:32} {n:>9} {c['exact']:>9} {c['wrong']:>7} {c['miss']:>7} {c['silent']:>7} "
                  f"{100.0 * c['exact'] / n if n else 100.0:9.3f}")
    status = Counter(r["status"] for r in reports)
    print("status:", dict(status))
    for kind, ex in sorted(examples.items()):
        print(f"\n-- {kind}: (first {len(ex)})")
        for e in ex:
            print("  ", e)
    if a.json:
        print(json.dumps({g: {"cells": cells[g], "reports": rep_ok[g], "classes": dict(classes[g])}
                          for g in order if g in cells}))
    all_ok = rep_ok["all"][0] == rep_ok["all"][1]
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
