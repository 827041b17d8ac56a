"""Loads every dataset of an xxgk output folder in pyarrow/pandas, polars and
DuckDB and checks the contract's types (datasets.md). Run by tests/cli.rs:
    python3 tests/readers.py OUT
Exits non-zero with a message on the first mismatch."""

import sys

import duckdb
import polars as pl
import pyarrow.dataset as ds

out = sys.argv[1]
DATASETS = ["reports", "disclosure_counts", "procurement", "litigation", "findings",
            "metrics", "yearly_comparison"]
# Datasets that may be empty on the sample corpus.
MAY_BE_EMPTY = {"procurement", "yearly_comparison"}
INT64 = {"disclosure_counts": ["value"], "litigation": ["value"], "procurement": ["project_count"]}

for name in DATASETS:
    path = f"{out}/{name}"
    # pyarrow with Hive partitioning; `year` is also stored in the files.
    import os
    if not os.path.isdir(path) and name in MAY_BE_EMPTY:
        continue
    t = ds.dataset(path, format="parquet", partitioning="hive").to_table()
    assert t.num_rows > 0 or name in MAY_BE_EMPTY, f"{name}: pyarrow read no rows"
    for col in INT64.get(name, []):
        assert str(t.schema.field(col).type) == "int64", f"{name}.{col}: {t.schema.field(col).type}"
    if name == "procurement":
        ty = t.schema.field("amount_yuan").type
        assert str(ty).startswith("decimal128") and ty.scale >= 2, f"amount_yuan: {ty}"
    # pandas, nullable ints kept as ints.
    df = t.to_pandas(types_mapper=None)
    assert len(df) == t.num_rows
    # polars
    p = pl.scan_parquet(f"{path}/**/*.parquet", hive_partitioning=True).collect()
    assert p.height == t.num_rows, f"{name}: polars {p.height} rows, pyarrow {t.num_rows}"
    for col in INT64.get(name, []):
        assert p.schema[col] == pl.Int64, f"{name}.{col} in polars: {p.schema[col]}"
    # DuckDB with Hive partitioning.
    con = duckdb.connect()
    n = con.sql(f"select count(*) from read_parquet('{path}/**/*.parquet', hive_partitioning=true)").fetchall()[0][0]
    assert n == t.num_rows, f"{name}: duckdb {n} rows, pyarrow {t.num_rows}"
    described = con.sql(f"describe select * from read_parquet('{path}/**/*.parquet', hive_partitioning=true)").fetchall()
    types = {r[0]: r[1] for r in described}
    for col in INT64.get(name, []):
        assert types[col] == "BIGINT", f"{name}.{col} in duckdb: {types[col]}"
    assert "year" in types, f"{name}: duckdb sees no year"

# The figures agree across readers: the sum of all counts.
con = duckdb.connect()
d = con.sql(f"select sum(value) from read_parquet('{out}/disclosure_counts/**/*.parquet', hive_partitioning=true)").fetchall()[0][0]
p = pl.scan_parquet(f"{out}/disclosure_counts/**/*.parquet", hive_partitioning=True).select(pl.col("value").sum()).collect().item()
a = ds.dataset(f"{out}/disclosure_counts", format="parquet", partitioning="hive").to_table().column("value").to_pandas().sum()
assert d == p == int(a), f"sums differ: duckdb {d}, polars {p}, pyarrow {a}"
print(f"readers: ok ({', '.join(DATASETS)}; sum of counts {d})")
