"""Loads every dataset of xxgk output folders with each one-line idiom of
datasets.md -- pandas (default and dtype_backend="pyarrow"), pyarrow dataset,
polars, DuckDB and Spark -- and checks the contract's types and that the
readers agree: rows, rows per year, a filter on year, sums of the integer
and decimal columns. Run by tests/cli.rs:

    python3 tests/readers.py OUT [OUT ...]

One SparkSession serves every folder. Prints one line per dataset and exits
non-zero with every mismatch found."""

import os
import sys
import time
from decimal import Decimal

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

import local_spark

DATASETS = ["reports", "disclosure_counts", "procurement", "litigation", "findings",
            "yearly_comparison", "metrics"]
# The contract's pinned types (datasets.md, docs/derive.md); every other
# column is checked reader against reader.
PINNED = {
    "disclosure_counts": {"value": pa.int64()},
    "litigation": {"value": pa.int64()},
    "procurement": {"project_count": pa.int64(), "amount_value": "decimal",
                    "amount_yuan": "decimal"},
    "reports": {"cells_found": pa.int32(), "findings": pa.int32(), "errors": pa.int32()},
    "yearly_comparison": {"prior_year": pa.int32(), "value": "decimal",
                          "prior_value": "decimal", "delta": "decimal",
                          "pct_change": pa.float64(), "checks_failed": pa.bool_()},
    "metrics": {"numerator": pa.int64(), "denominator": pa.int64(), "value": pa.float64(),
                "checks_failed": pa.bool_()},
}

errors = []
# Seconds spent per reader, printed at the end.
spent = {}


def lap(reader, since):
    now = time.time()
    spent[reader] = spent.get(reader, 0.0) + now - since
    return now


def check(ok, what):
    if not ok:
        errors.append(what)
    return ok


def expect(pa_type):
    """What each reader should show for a pyarrow type: (pandas default,
    pandas pyarrow, polars, DuckDB, Spark)."""
    if pa.types.is_int32(pa_type):
        return ("Int32", "int32[pyarrow]", pl.Int32, "INTEGER", "IntegerType()")
    if pa.types.is_int64(pa_type):
        return ("Int64", "int64[pyarrow]", pl.Int64, "BIGINT", "LongType()")
    if pa.types.is_float64(pa_type):
        return ("float64", "double[pyarrow]", pl.Float64, "DOUBLE", "DoubleType()")
    if pa.types.is_boolean(pa_type):
        return ("boolean", "bool[pyarrow]", pl.Boolean, "BOOLEAN", "BooleanType()")
    if pa.types.is_decimal128(pa_type):
        p, s = pa_type.precision, pa_type.scale
        return ("object", f"decimal128({p}, {s})[pyarrow]", pl.Decimal(p, s),
                f"DECIMAL({p},{s})", f"DecimalType({p},{s})")
    if pa.types.is_string(pa_type):
        return (None, "string[pyarrow]", pl.String, "VARCHAR", "StringType()")
    return None


def year_counts(pairs):
    """{year or None: rows} from (year, count) pairs."""
    return {(None if pd.isna(y) else int(y)): int(n) for y, n in pairs}


def load(spark, out, name):
    path = os.path.join(out, name)
    glob = f"{path}/**/*.parquet"
    where = f"{out}/{name}"

    t = time.time()
    # pyarrow dataset: the reference.
    dset = ds.dataset(path)
    table = dset.to_table()
    n = table.num_rows
    schema = table.schema
    check(schema.field("year").type == pa.int32(), f"{where}: pyarrow year is {schema.field('year').type}")
    for col, want in PINNED.get(name, {}).items():
        got = schema.field(col).type
        ok = pa.types.is_decimal128(got) if want == "decimal" else got == want
        check(ok, f"{where}.{col}: pyarrow {got}, the contract says {want}")
    for f in schema:
        check(expect(f.type) is not None, f"{where}.{f.name}: unexpected type {f.type} (string_view?)")
    by_year = table.group_by("year").aggregate([([], "count_all")])
    years = year_counts(zip(by_year.column("year").to_pylist(),
                            by_year.column("count_all").to_pylist()))
    check(sum(years.values()) == n, f"{where}: years do not add up")
    ints = [f.name for f in schema if pa.types.is_integer(f.type)]
    decs = [f.name for f in schema if pa.types.is_decimal128(f.type)]
    sums = {c: pc.sum(table.column(c)).as_py() for c in ints + decs}

    # A filter on one year reads only that year's files: the statistics of
    # every other file rule it out.
    for y in [y for y in years if y is not None][:2]:
        kept = []
        for frag in dset.get_fragments():
            if frag.subset(ds.field("year") == y).row_groups:
                kept.append(os.path.basename(frag.path))
        check(kept and all(k.startswith(f"{y}-") for k in kept),
              f"{where}: year == {y} reads {kept}")

    t = lap("pyarrow", t)
    # pandas, default and with the pyarrow backend.
    df = pd.read_parquet(path)
    dfa = pd.read_parquet(path, dtype_backend="pyarrow")
    check(len(df) == n and len(dfa) == n, f"{where}: pandas {len(df)}/{len(dfa)} rows, pyarrow {n}")
    for f in schema:
        want = expect(f.type)
        if want is None:
            continue
        if want[0] is not None:
            check(str(df[f.name].dtype) == want[0], f"{where}.{f.name}: pandas {df[f.name].dtype}, want {want[0]}")
        check(str(dfa[f.name].dtype) == want[1], f"{where}.{f.name}: pandas pyarrow {dfa[f.name].dtype}, want {want[1]}")
    check(year_counts(df.groupby("year", dropna=False).size().items()) == years,
          f"{where}: pandas rows per year differ")
    for c in ints + decs:
        got = dfa[c].sum() if dfa[c].notna().any() else None
        check(got == sums[c], f"{where}.{c}: pandas sum {got}, pyarrow {sums[c]}")

    t = lap("pandas", t)
    # polars
    lf = pl.scan_parquet(glob)
    pschema = lf.collect_schema()
    frame = lf.collect()
    check(frame.height == n, f"{where}: polars {frame.height} rows, pyarrow {n}")
    for f in schema:
        want = expect(f.type)
        if want is not None:
            check(pschema[f.name] == want[2], f"{where}.{f.name}: polars {pschema[f.name]}, want {want[2]}")
    check(year_counts(frame.group_by("year").len().iter_rows()) == years,
          f"{where}: polars rows per year differ")
    for c in ints + decs:
        got = frame[c].sum() if frame[c].null_count() < frame.height else None
        check(got == sums[c], f"{where}.{c}: polars sum {got}, pyarrow {sums[c]}")

    t = lap("polars", t)
    # DuckDB
    con = duckdb.connect()
    rel = f"read_parquet('{glob}')"
    types = {r[0]: r[1] for r in con.sql(f"describe select * from {rel}").fetchall()}
    for f in schema:
        want = expect(f.type)
        if want is not None:
            check(types.get(f.name) == want[3], f"{where}.{f.name}: duckdb {types.get(f.name)}, want {want[3]}")
    dn = con.sql(f"select count(*) from {rel}").fetchall()[0][0]
    check(dn == n, f"{where}: duckdb {dn} rows, pyarrow {n}")
    check(year_counts(con.sql(f"select year, count(*) from {rel} group by year").fetchall()) == years,
          f"{where}: duckdb rows per year differ")
    for c in ints + decs:
        got = con.sql(f'select sum("{c}") from {rel}').fetchall()[0][0]
        check(got == sums[c], f"{where}.{c}: duckdb sum {got}, pyarrow {sums[c]}")
    for y in [y for y in years if y is not None][:1]:
        got = con.sql(f"select count(*) from {rel} where year = {y}").fetchall()[0][0]
        check(got == years[y], f"{where}: duckdb year = {y} gives {got}, want {years[y]}")

    t = lap("duckdb", t)
    # Spark
    sdf = spark.read.parquet(path)
    stypes = {f.name: str(f.dataType) for f in sdf.schema.fields}
    for f in schema:
        want = expect(f.type)
        if want is not None:
            check(stypes.get(f.name) == want[4], f"{where}.{f.name}: spark {stypes.get(f.name)}, want {want[4]}")
    from pyspark.sql import functions as F
    grouped = sdf.groupBy("year").agg(F.count(F.lit(1)).alias("_rows"),
                                      *[F.sum(c).alias(f"_sum_{c}") for c in ints + decs]).collect()
    sn = sum(r["_rows"] for r in grouped)
    check(sn == n, f"{where}: spark {sn} rows, pyarrow {n}")
    check(year_counts((r["year"], r["_rows"]) for r in grouped) == years,
          f"{where}: spark rows per year differ")
    for c in ints + decs:
        parts = [r[f"_sum_{c}"] for r in grouped if r[f"_sum_{c}"] is not None]
        got = sum(Decimal(x) for x in parts) if parts else None
        want = sums[c]
        same = (got is None and want is None) or (
            got is not None and want is not None and got == Decimal(want))
        check(same, f"{where}.{c}: spark sum {got}, pyarrow {want}")
    for y in [y for y in years if y is not None][:1]:
        got = sdf.filter(sdf.year == y).count()
        check(got == years[y], f"{where}: spark year == {y} gives {got}, want {years[y]}")
    lap("spark", t)

    return n, years


def main():
    outs = sys.argv[1:]
    if not outs:
        sys.exit("usage: readers.py OUT [OUT ...]")
    started = time.time()
    spark = local_spark.session("xxgk-readers")
    spark_up = time.time() - started
    seen_empty = seen_unknown = False
    years_seen = set()
    try:
        for out in outs:
            for name in DATASETS:
                try:
                    n, years = load(spark, out, name)
                except Exception as e:  # a reader that cannot load is a failure
                    errors.append(f"{out}/{name}: {type(e).__name__}: {e}")
                    continue
                seen_empty |= n == 0
                seen_unknown |= None in years
                years_seen |= {y for y in years if y is not None}
                shown = ", ".join(f"{y or 'unknown'}: {c}" for y, c in sorted(years.items(), key=lambda x: (x[0] is None, x[0] or 0)))
                print(f"{out}/{name}: {n} rows ({shown})")
    finally:
        spark.stop()
    # What the run must hold for the checks to mean something.
    check(seen_empty, "no empty dataset among the folders")
    check(seen_unknown, "no rows of unknown year among the folders")
    check(len(years_seen) >= 2, f"fewer than two years: {sorted(years_seen)}")
    local_spark.finish("readers", errors, f"spark session start {spark_up:.1f}, "
                       + ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
                       + f", total {time.time() - started:.1f}")

if __name__ == "__main__":
    main()
