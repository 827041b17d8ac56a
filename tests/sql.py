"""Runs the scripts of `xxgk derive OUT --emit-sql duckdb|spark` in DuckDB and
Spark and compares every row of their views yearly_comparison, metrics and
derived_findings with what xxgk wrote into OUT (yearly_comparison/,
metrics/, findings/*-derived.parquet), read back with pyarrow: the same
columns and types, and the same rows as multisets, every value exact (floats
bit for bit, decimals to the last digit). Then the last folder's DuckDB
script, one rule changed at a time (MUTANTS), must give other rows. Run by
tests/sql.rs:

    python3 tests/sql.py OUT DUCKDB.sql SPARK.sql [OUT DUCKDB.sql SPARK.sql ...]

One SparkSession serves every folder. Prints one JSON line of counts per
folder (what the rows compared hold), then `sql: ok`; exits non-zero with
every mismatch found."""

import collections
import functools
import glob
import json
import os
import sys
import time
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

import local_spark

VIEWS = {"yearly_comparison": "yearly_comparison/*.parquet",
         "metrics": "metrics/*.parquet",
         "derived_findings": "findings/*-derived.parquet"}
# Spark's name of each Arrow type the datasets use.
SPARK_TYPES = {pa.int32(): "int", pa.int64(): "bigint", pa.float64(): "double",
               pa.string(): "string", pa.bool_(): "boolean",
               pa.decimal128(38, 4): "decimal(38,4)"}
# The findings schema (src/sink/schema.rs), for a run without derived findings.
FINDINGS = pa.schema([("report_id", pa.string()), ("source_path", pa.string()),
                      ("year", pa.int32()), ("severity", pa.string()),
                      ("code", pa.string()), ("table_key", pa.string()),
                      ("row_key", pa.string()), ("col_key", pa.string()),
                      ("page", pa.int32()), ("message", pa.string())])

errors = []


def check(ok, what):
    if not ok:
        errors.append(what)
    return ok


def exact(v):
    """A value as a string that keeps all of it: a float's bits, a decimal's
    digits, the type."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"b:{v}"
    if isinstance(v, int):
        return f"i:{v}"
    if isinstance(v, float):
        return f"f:{v.hex()}"
    if isinstance(v, Decimal):
        return f"d:{v:.4f}"
    if isinstance(v, str):
        return f"s:{v}"
    raise TypeError(f"unexpected value {v!r}")


def multiset(rows):
    return collections.Counter(tuple(exact(v) for v in r) for r in rows)


def differ(want, got):
    """Rows one side has more often than the other, a few of each."""
    missing = list((want - got).elements())
    extra = list((got - want).elements())
    if not missing and not extra:
        return None
    return f"{len(missing)} row(s) missing, e.g. {missing[:2]}; {len(extra)} extra, e.g. {extra[:2]}"


@functools.cache
def xxgk_table(out, view):
    files = sorted(glob.glob(os.path.join(out, VIEWS[view])))
    if not files:
        return FINDINGS.empty_table()
    tables = [pq.read_table(f) for f in files]
    schema = tables[0].schema
    return pa.concat_tables([t.cast(schema) for t in tables])


@functools.cache
def xxgk_rows(out, view):
    return multiset(tuple(r.values()) for r in xxgk_table(out, view).to_pylist())


def plain(schema):
    return [(f.name, f.type) for f in schema]


def statements(path):
    text = open(path, encoding="utf-8").read()
    check(text.endswith(";\n"), f"{path}: does not end with ';\\n'")
    return [s for s in text.split(";\n") if s.strip()]


def counts(view, table):
    """What the compared rows hold, for tests/sql.rs to require."""
    rows = table.to_pylist()
    c = {f"{view}": len(rows)}
    if view == "yearly_comparison":
        c["comparison_null_value"] = sum(r["value"] is None or r["prior_value"] is None for r in rows)
        c["comparison_null_pct"] = sum(r["pct_change"] is None for r in rows)
        c["comparison_pct"] = sum(r["pct_change"] is not None for r in rows)
        c["comparison_yuan"] = sum(r["unit"] == "yuan" for r in rows)
        c["comparison_checks_failed"] = sum(bool(r["checks_failed"]) for r in rows)
        # The configured sum: gb2021's requests.other, a row no gb2021 report prints.
        c["comparison_sum"] = sum(r["row_key"] == "other" and r["template"] == "gb2021" for r in rows)
        c["comparison_sum_null"] = sum(r["row_key"] == "other" and r["template"] == "gb2021"
                                       and r["value"] is None for r in rows)
    elif view == "metrics":
        c["metrics_null"] = sum(r["value"] is None for r in rows)
        c["metrics_numerator_only"] = sum(r["value"] is not None and r["denominator"] is None for r in rows)
        c["metrics_rate"] = sum(r["denominator"] is not None and r["value"] is not None for r in rows)
    else:
        for r in rows:
            key = f"findings_{r['code']}"
            c[key] = c.get(key, 0) + 1
    return c


def compare(engine, out, view, schema, rows):
    """The mismatches of one view's schema and rows against xxgk's."""
    where = f"{out} {engine} {view}"
    bad = []
    want_schema = xxgk_table(out, view).schema
    if plain(schema) != plain(want_schema):
        bad.append(f"{where}: columns {plain(schema)}, xxgk {plain(want_schema)}")
    want = xxgk_rows(out, view)
    d = differ(want, multiset(rows))
    if d is not None:
        bad.append(f"{where}: {d}")
    # The comparison sees a change of one value in one row.
    if want and d is None:
        row = next(iter(want))
        changed = collections.Counter(want)
        changed[row] -= 1
        changed[tuple("f:0x1.0000000000001p+0" if v.startswith("f:") else v + "x" for v in row)] += 1
        if differ(want, +changed) is None:
            bad.append(f"{where}: a changed row goes unseen")
    return bad


def run_duckdb(script, out):
    """The DuckDB script's statements run, its three views against xxgk's
    rows: the mismatches."""
    con = duckdb.connect()
    for s in script:
        con.execute(s)
    bad = []
    for view in VIEWS:
        rel = con.sql(f"SELECT * FROM {view}")
        bad += compare("duckdb", out, view, rel.arrow().schema, rel.fetchall())
    return bad


# Scripts one rule off, each of which the comparison must catch on the
# synthetic run: (what, text of the script, replacement).
MUTANTS = [
    ("pct_change times 100 before the division",
     "/ CAST(pr.value AS DOUBLE) * CAST(100 AS DOUBLE)",
     "* CAST(100 AS DOUBLE) / CAST(pr.value AS DOUBLE)"),
    ("partial chosen before ok",
     "CASE WHEN status = 'ok' THEN 0 ELSE 1 END", "CASE WHEN status = 'ok' THEN 1 ELSE 0 END"),
    ("a sum of the rows present", "WHEN COUNT(c.value) = m.n", "WHEN COUNT(c.value) > 0"),
    ("a rate over a zero denominator", "WHEN denominator <> 0 THEN",
     "WHEN denominator IS NOT NULL THEN"),
    ("a message one space longer", "the printed values are kept", "the printed values are kept "),
]


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit("usage: sql.py OUT DUCKDB.sql SPARK.sql [...]")
    runs = [args[i:i + 3] for i in range(0, len(args), 3)]
    started = time.time()
    spent = collections.Counter()
    stats = {}
    for out, duck_sql, _ in runs:
        stats[out] = {}
        for view in VIEWS:
            stats[out].update(counts(view, xxgk_table(out, view)))
        t = time.time()
        errors.extend(run_duckdb(statements(duck_sql), out))
        spent["duckdb"] += time.time() - t
    t = time.time()
    out, duck_sql, _ = runs[-1]
    script = statements(duck_sql)
    for what, was, mutant in MUTANTS:
        if check(any(was in s for s in script), f"mutant {what!r}: {was!r} is not in the script"):
            check(run_duckdb([s.replace(was, mutant) for s in script], out) != [],
                  f"{out}: a script with {what} gives the same rows")
    spent["mutants"] += time.time() - t

    t = time.time()
    # Views keep their analysed plan instead of being analysed again wherever
    # they are used: the script nests views (README); the rows are the same.
    spark = local_spark.session("xxgk-sql", {"spark.sql.legacy.storeAnalyzedPlanForView": "true"})
    spent["spark start"] += time.time() - t
    try:
        for out, _, spark_sql in runs:
            t = time.time()
            for s in statements(spark_sql):
                spark.sql(s)
            for view in VIEWS:
                want = xxgk_table(out, view)
                df = spark.sql(f"SELECT * FROM {view}")
                types = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
                want_types = [(f.name, SPARK_TYPES.get(f.type, str(f.type))) for f in want.schema]
                check(types == want_types, f"{out} spark {view}: columns {types}, xxgk {want_types}")
                rows = [tuple(r) for r in df.collect()]
                errors.extend(compare("spark", out, view, want.schema, rows))
            spent["spark"] += time.time() - t
    finally:
        spark.stop()

    for out in stats:
        print(json.dumps({"out": out, **stats[out]}, sort_keys=True))
    local_spark.finish("sql", errors, ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
                       + f", total {time.time() - started:.1f}")


if __name__ == "__main__":
    main()
