"""The whole xxgk job on Spark: the N ingest shards as Spark tasks, then the
derive stage as Spark SQL, publishing into one shared dataset folder.

    spark-submit deploy/spark/xxgk_job.py CORPUS OUT --shards N \\
        [--xxgk PATH] [--config FILE] [--formats txt,html] [--follow] \\
        [--threads T] [--no-derive]

Every node must see CORPUS, OUT, the config file and the xxgk binary at the
same paths (a shared file system), as for the Kubernetes and Slurm examples
of the README's "Scaling out".

1. Ingest: an RDD of N partitions; task K runs
   `xxgk ingest CORPUS --out OUT --shard K/N --quiet` (same config, formats,
   `--threads` = spark.task.cpus unless given) as a subprocess. Each shard
   publishes its own part files and `OUT/_run/part-K-of-N.json`; a shard
   that exits non-zero fails its task with xxgk's stderr, and so the job
   (Spark retries it first where spark.task.maxFailures allows: a shard run
   again replaces its own files; speculative execution is refused, as two
   attempts of one shard at once would share its staging folder). Once all
   N are in, the files and shard
   manifests of any other split (an earlier unsharded run, another N) are
   removed, so the folders hold this run's rows once.
2. Derive: `xxgk derive OUT --emit-sql spark` prints the SQL (statements
   ending `;` + newline, temporary views over OUT's folders, ending with the
   views `yearly_comparison`, `metrics`, `derived_findings`). Each view is
   checked against the contract (`xxgk schema`: columns, order, types), then
   written by Spark tasks with pyarrow in xxgk's own layout: one file per
   year, named as `xxgk derive` names them (`{year}-part-00000-of-00001`,
   `unknown-…`, `empty-…` for no rows; the derived findings
   `findings/{year}-derived.parquet`), ZSTD, 64k-row groups, the pandas
   metadata xxgk writes, the contract's Arrow types. Written into
   `OUT/.xxgk-staging-spark/`, then published as `xxgk derive` publishes:
   each derived folder swapped in whole, the derived findings files renamed
   in and earlier ones removed.
3. `xxgk derive OUT --manifest-only` writes `OUT/_run.json` from the shard
   manifests and the derived files as published.

Exit codes: 0 published; 1 a shard, the SQL or a write failed (the message
names it; what had been published stays whole, as with the CLI); 2 bad
arguments. Tested by tests/spark.rs (through tests/spark.py).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

DATASETS = ["reports", "disclosure_counts", "procurement", "litigation", "findings"]
# The derive SQL's final views, the dataset each one is, and the writer tag
# of its files (sink::layout: `xxgk derive` writes the same names).
DERIVED = [
    ("yearly_comparison", "yearly_comparison", "part-00000-of-00001"),
    ("metrics", "metrics", "part-00000-of-00001"),
    ("derived_findings", "findings", "derived"),
]
STAGING = ".xxgk-staging-spark"
ROW_GROUP = 64 * 1024


class JobError(Exception):
    """A step of the job failed; the message names it."""


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="xxgk_job.py",
        description="xxgk ingest in N shards as Spark tasks, then the derive stage as Spark SQL.")
    p.add_argument("corpus", help="folder of reports, the same path on every node")
    p.add_argument("out", help="the shared dataset folder")
    p.add_argument("--shards", type=int, required=True, metavar="N", help="shards (tasks), 1 or more")
    p.add_argument("--xxgk", default="xxgk", help="the xxgk binary on every node (default: on PATH)")
    p.add_argument("--config", help="config file, the same path on every node")
    p.add_argument("--formats", help="formats to read, comma-separated")
    p.add_argument("--follow", action="store_true", help="follow links leading outside CORPUS")
    p.add_argument("--threads", type=int, help="worker threads per shard (default: spark.task.cpus)")
    p.add_argument("--no-derive", action="store_true",
                   help="ingest only; run the derive stage later (`xxgk derive OUT`)")
    a = p.parse_args(argv)
    if a.shards < 1:
        p.error("--shards must be 1 or more")
    # Tasks run elsewhere, in other working folders.
    a.corpus, a.out = os.path.abspath(a.corpus), os.path.abspath(a.out)
    if a.config:
        a.config = os.path.abspath(a.config)
    return a


def part_tag(k, n):
    """The writer tag of shard K of N, as `sink::Shard::tag` spells it."""
    return f"part-{k:05d}-of-{n:05d}"


def layout_tag(name):
    """The writer tag of a dataset file name `{year}-{tag}.parquet`
    (sink::layout::parse), or None for any other name."""
    if not name.endswith(".parquet"):
        return None
    stem = name[: -len(".parquet")]
    cut = stem.find("-", 1)
    if cut < 1 or cut + 1 >= len(stem):
        return None
    prefix = stem[:cut]
    if prefix not in ("unknown", "empty"):
        try:
            int(prefix)
        except ValueError:
            return None
    return stem[cut + 1:]


def xxgk_args(a):
    """The options every xxgk call of this run shares."""
    return ["--config", a.config] if a.config else []


def run_xxgk(a, args, what):
    """Runs xxgk on the driver; gives its stdout or raises with its stderr."""
    o = subprocess.run([a.xxgk, *args], capture_output=True, text=True)
    if o.returncode != 0:
        raise JobError(f"{what}: `xxgk {' '.join(args)}` exited {o.returncode}:\n{o.stderr.strip()}")
    return o.stdout


# --- 1. ingest -------------------------------------------------------------

def ingest_command(a, k, threads):
    cmd = [a.xxgk, "ingest", a.corpus, "--out", a.out, "--shard", f"{k}/{a.shards}", "--quiet",
           "--threads", str(threads), *xxgk_args(a)]
    if a.formats:
        cmd += ["--formats", a.formats]
    if a.follow:
        cmd.append("--follow")
    return cmd


def ingest_shards(spark, a):
    """Runs the N shards as N Spark tasks; gives [(shard, seconds)]."""
    sc = spark.sparkContext
    threads = a.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    commands = [ingest_command(a, k, threads) for k in range(a.shards)]

    def shard(k):
        started = time.time()
        o = subprocess.run(commands[k], capture_output=True, text=True)
        if o.returncode != 0:
            raise RuntimeError(f"xxgk shard {k}/{len(commands)} exited {o.returncode}: "
                               f"{o.stderr.strip()}")
        return (f"{k}/{len(commands)}", round(time.time() - started, 2))

    try:
        return sc.parallelize(range(a.shards), a.shards).map(shard).collect()
    except Exception as e:  # Py4J wraps the task's error with its traceback
        text = str(e)
        lines = [line for line in text.splitlines() if "xxgk shard" in line]
        raise JobError("ingest failed: " + (lines[-1].strip() if lines else text)) from None


def clear_other_splits(a):
    """Removes what another split left in OUT (an earlier unsharded run,
    another N): part files of other tags and their shard manifests. The
    derived findings files are the derive step's to replace."""
    keep = {part_tag(k, a.shards) for k in range(a.shards)}
    removed = []
    for name in DATASETS:
        d = os.path.join(a.out, name)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            tag = layout_tag(f)
            if tag is not None and tag not in keep and tag != "derived":
                os.remove(os.path.join(d, f))
                removed.append(f"{name}/{f}")
    runs = os.path.join(a.out, "_run")
    for f in sorted(os.listdir(runs)) if os.path.isdir(runs) else []:
        if f.endswith(".json") and f[: -len(".json")] not in keep:
            os.remove(os.path.join(runs, f))
            removed.append(f"_run/{f}")
    return removed


# --- 2. derive -------------------------------------------------------------

def contract(a):
    """The contract's columns per dataset from `xxgk schema`: {dataset:
    [(column, type)]}, types as xxgk names them (string, int32, int64,
    float64, boolean, decimal(38,4)), and {dataset: the columns that are
    never null} (`null: never`), which xxgk's files mark required."""
    cols, required = {}, {}
    for line in run_xxgk(a, ["schema", *xxgk_args(a)], "schema").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            cols.setdefault(parts[0], []).append((parts[1], parts[2]))
            if len(parts) >= 4 and parts[3] == "null: never":
                required.setdefault(parts[0], set()).add(parts[1])
    return cols, required


def spark_type(t):
    """An xxgk type name as Spark's simpleString."""
    fixed = {"string": "string", "int32": "int", "int64": "bigint", "float64": "double",
             "boolean": "boolean"}
    return fixed.get(t, t)  # decimal(p,s) is spelled alike


def arrow_schema(columns, version, like=None, required=frozenset()):
    """The contract's Arrow schema with the pandas metadata of
    sink::layout::pandas_metadata. The `required` columns (never null) are
    not nullable, as xxgk writes them; `like`, the schema of a file the
    shards wrote, must have the same columns and types."""
    import pyarrow as pa

    def arrow(t):
        fixed = {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(),
                 "float64": pa.float64(), "boolean": pa.bool_()}
        if t in fixed:
            return fixed[t]
        if t.startswith("decimal(") and t.endswith(")"):
            p, s = t[len("decimal("):-1].split(",")
            return pa.decimal128(int(p), int(s))
        raise JobError(f"xxgk schema: type {t} has no Arrow type here")

    pandas = {"string": ("unicode", "object"), "int32": ("int32", "Int32"),
              "int64": ("int64", "Int64"), "float64": ("float64", "float64"),
              "boolean": ("bool", "boolean")}
    meta = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [{"name": c, "field_name": c,
                     "pandas_type": pandas.get(t, ("decimal", "object"))[0],
                     "numpy_type": pandas.get(t, ("decimal", "object"))[1],
                     "metadata": None} for c, t in columns],
        "creator": {"library": "xxgk", "version": version},
        "pandas_version": "2.0.0",
    }
    if like is not None:
        if [(f.name, f.type) for f in like] != [(c, arrow(t)) for c, t in columns]:
            raise JobError(f"the shards' files have the columns {like}; xxgk schema says "
                           f"{columns}")
    fields = [pa.field(c, arrow(t), nullable=c not in required) for c, t in columns]
    return pa.schema(fields, metadata={"pandas": json.dumps(meta)})


def shards_schema(a, dataset):
    """The Arrow schema of one of this run's shard files of `dataset`, or
    None when it has none."""
    import pyarrow.parquet as pq

    tags = {part_tag(k, a.shards) for k in range(a.shards)}
    d = os.path.join(a.out, dataset)
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if layout_tag(f) in tags:
            return pq.read_schema(os.path.join(d, f))
    return None


def check_view(df, view, dataset, columns):
    """The view has the dataset's columns, in order, with its types."""
    got = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    want = [(c, spark_type(t)) for c, t in columns]
    if got != want:
        raise JobError(f"derive SQL: view {view} has columns {got}; the {dataset} dataset "
                       f"has {want} (xxgk schema)")


def year_files(folder, tag, schema):
    """The mapInArrow function writing one task's rows, sorted by year, one
    file per year named as sink::layout names it; yields (file, rows)."""

    def write(batches):
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyspark import TaskContext

        out = pa.schema([("file", pa.string()), ("rows", pa.int64())])
        state = {"year": None, "writer": None, "path": None, "rows": 0, "buffer": [], "held": 0}
        done = []

        def flush():
            if state["buffer"]:
                state["writer"].write_table(pa.concat_tables(state["buffer"]),
                                            row_group_size=ROW_GROUP)
                state["buffer"], state["held"] = [], 0

        def close():
            if state["writer"] is not None:
                flush()
                state["writer"].close()
                os.replace(state["tmp"], state["path"])
                done.append((os.path.basename(state["path"]), state["rows"]))
                state["writer"] = None

        def open_year(year):
            # Rows of one year reach one task only (repartition by year); a
            # retried attempt writes the same file again, under its own
            # temporary name until it is complete.
            close()
            name = f"{'unknown' if year is None else year}-{tag}.parquet"
            attempt = TaskContext.get().taskAttemptId() if TaskContext.get() else 0
            path = os.path.join(folder, name)
            tmp = os.path.join(folder, f".{name}.tmp-{attempt}")
            state.update(year=year, path=path, tmp=tmp, rows=0)
            state["writer"] = pq.ParquetWriter(tmp, schema, compression="zstd",
                                               compression_level=1)

        for batch in batches:
            table = pa.Table.from_batches([batch]).select(schema.names).cast(schema)
            years = table.column("year").to_pylist()
            start = 0
            while start < len(years):
                end = start
                while end < len(years) and years[end] == years[start]:
                    end += 1
                if state["writer"] is None or state["year"] != years[start]:
                    open_year(years[start])
                piece = table.slice(start, end - start)
                state["buffer"].append(piece)
                state["held"] += piece.num_rows
                state["rows"] += piece.num_rows
                if state["held"] >= ROW_GROUP:
                    flush()
                start = end
        close()
        if done:
            yield pa.RecordBatch.from_arrays(
                [pa.array([f for f, _ in done], pa.string()),
                 pa.array([n for _, n in done], pa.int64())], schema=out)

    return write


def write_dataset(df, folder, tag, schema, empty_file):
    """Writes a derived view into `folder` in xxgk's layout; gives rows."""
    import pyarrow.parquet as pq

    os.makedirs(folder, exist_ok=True)
    # All of a year's rows in one task, together; the rest of the columns
    # make the order within a file deterministic.
    rest = [c for c in df.columns if c != "year"]
    ordered = df.repartition("year").sortWithinPartitions("year", *rest)
    written = ordered.mapInArrow(year_files(folder, tag, schema), "file string, rows long").collect()
    rows = sum(r["rows"] for r in written)
    for f in os.listdir(folder):
        if f.startswith("."):  # what failed attempts left
            os.remove(os.path.join(folder, f))
    if rows == 0 and empty_file:
        # A zero-row file still gives readers the schema (`xxgk derive` too).
        pq.write_table(schema.empty_table(), os.path.join(folder, f"empty-{tag}.parquet"),
                       compression="zstd", compression_level=1)
    return rows


def swap_in(staged, target):
    """Puts the folder `staged` in place of `target` and removes the old one:
    one renameat2(RENAME_EXCHANGE) on Linux, as publish::swap_in does;
    elsewhere the old folder is renamed aside first."""
    if not os.path.exists(target):
        os.rename(staged, target)
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        if libc.renameat2(at_fdcwd, os.fsencode(staged), at_fdcwd, os.fsencode(target),
                          rename_exchange) == 0:
            shutil.rmtree(staged)
            return
    except (AttributeError, OSError):
        pass
    aside = staged + ".old"
    os.rename(target, aside)
    os.rename(staged, target)
    shutil.rmtree(aside)


def derive(spark, a):
    """Runs the emitted derive SQL and publishes its three outputs; gives
    rows and seconds per output."""
    sql = run_xxgk(a, ["derive", a.out, "--emit-sql", "spark", *xxgk_args(a)], "derive SQL")
    # The views nest: analysed once, not again wherever one is used (same
    # rows, less planning; README, "The derive stage in DuckDB or Spark").
    spark.conf.set("spark.sql.legacy.storeAnalyzedPlanForView", "true")
    for statement in sql.split(";\n"):
        if statement.strip():
            spark.sql(statement)
    cols, required = contract(a)
    version = run_xxgk(a, ["--version"], "version").split()[-1]
    staging = os.path.join(a.out, STAGING)
    shutil.rmtree(staging, ignore_errors=True)
    rows = {}
    try:
        for view, dataset, tag in DERIVED:
            if dataset not in cols:
                raise JobError(f"xxgk schema lists no dataset {dataset}")
            df = spark.table(view)
            check_view(df, view, dataset, cols[dataset])
            schema = arrow_schema(cols[dataset], version, shards_schema(a, dataset),
                                  required.get(dataset, set()))
            clock = time.time()
            n = write_dataset(df, os.path.join(staging, dataset), tag, schema,
                              empty_file=dataset != "findings")
            rows[view] = {"rows": n, "seconds": round(time.time() - clock, 2)}
        publish_derived(a.out, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return rows


def publish_derived(out, staging):
    """As `xxgk derive` publishes: the derived folders swapped in whole; the
    derived findings files renamed into findings/, earlier ones removed."""
    for _, dataset, _ in DERIVED[:2]:
        swap_in(os.path.join(staging, dataset), os.path.join(out, dataset))
    src, dst = os.path.join(staging, "findings"), os.path.join(out, "findings")
    os.makedirs(dst, exist_ok=True)
    fresh = sorted(os.listdir(src))
    for f in fresh:
        os.rename(os.path.join(src, f), os.path.join(dst, f))
    for f in os.listdir(dst):
        if layout_tag(f) == "derived" and f not in fresh:
            os.remove(os.path.join(dst, f))


# --- the job ---------------------------------------------------------------

def run(spark, a):
    """The whole job in `spark`; gives what it did, for the log."""
    if __name__ != "__main__":
        # Imported (the tests): executors import this module by name.
        spark.sparkContext.addPyFile(os.path.abspath(__file__))
    if spark.sparkContext.getConf().get("spark.speculation", "false").lower() == "true":
        # Two attempts of one shard would share its staging folder.
        raise JobError("spark.speculation is on: run the job with spark.speculation=false")
    clock = time.time()
    done = {"shards": ingest_shards(spark, a)}
    done["ingest_seconds"] = round(time.time() - clock, 2)
    done["removed_files"] = len(clear_other_splits(a))
    if not a.no_derive:
        clock = time.time()
        done["derived_rows"] = derive(spark, a)
        run_xxgk(a, ["derive", a.out, "--manifest-only"], "run manifest")
        done["derive_seconds"] = round(time.time() - clock, 2)
    return done


def main(argv=None, spark=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    own = spark is None
    if own:
        from pyspark.sql import SparkSession
        spark = SparkSession.builder.appName("xxgk").getOrCreate()
    try:
        done = run(spark, a)
    except JobError as e:
        print(f"xxgk_job: {e}", file=sys.stderr)
        return 1
    finally:
        if own:
            spark.stop()
    print(f"xxgk_job: {json.dumps(done)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
