"""Runs the Spark job of deploy/spark/xxgk_job.py in one local SparkSession
(one JVM) for tests/spark.rs, which compares what it published with one
unsharded `xxgk ingest`:

    python3 tests/spark.py XXGK CORPUS CONFIG WORK

1. A run whose shards fail (a config that does not exist) must fail the job
   with xxgk's stderr, and publish nothing.
2. The job with 3 shards, ingest and derive, into WORK/spark (which the Rust
   test filled with an earlier unsharded run and a shard of another split).
3. Every dataset of WORK/spark through tests/readers.py's loading idioms
   (pandas, pyarrow, polars, DuckDB, Spark): the contract's types, readers
   agreeing.

Prints the job's log and times, and `spark: ok` or every problem found
(exit 1)."""

import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import local_spark  # noqa: E402
import readers  # noqa: E402


def load_job():
    path = os.path.join(HERE, "..", "deploy", "spark", "xxgk_job.py")
    spec = importlib.util.spec_from_file_location("xxgk_job", path)
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    return job


def main():
    xxgk, corpus, config, work = sys.argv[1:5]
    problems = []
    times = {}
    started = time.time()
    spark = local_spark.session("xxgk-spark-job-test")
    # The failing run's task errors are expected: not on stderr.
    spark.sparkContext.setLogLevel("FATAL")
    times["session"] = round(time.time() - started, 1)
    job = load_job()
    try:
        # 1. A failing shard fails the job with its stderr; nothing published.
        t = time.time()
        failed = os.path.join(work, "failed")
        missing = os.path.join(work, "missing.toml")
        try:
            job.run(spark, job.parse_args([corpus, failed, "--shards", "2", "--xxgk", xxgk,
                                           "--config", missing]))
            problems.append("a run whose shards fail did not fail")
        except job.JobError as e:
            text = str(e)
            if "xxgk shard" not in text or "missing.toml" not in text:
                problems.append(f"the failure does not name the shard and xxgk's error: {text}")
        left = [d for d in job.DATASETS if os.path.exists(os.path.join(failed, d))]
        if left:
            problems.append(f"a failed run published {left}")
        times["failing_run"] = round(time.time() - t, 1)

        # 2. The job: 3 shards, then the derive SQL.
        t = time.time()
        out = os.path.join(work, "spark")
        done = job.run(spark, job.parse_args([corpus, out, "--shards", "3", "--xxgk", xxgk,
                                              "--config", config]))
        times["job"] = round(time.time() - t, 1)
        times["job_ingest"] = done["ingest_seconds"]
        times["job_derive"] = done.get("derive_seconds")
        print(f"spark.py: job {json.dumps(done)}")

        # 3. Every dataset through every reader.
        t = time.time()
        for name in readers.DATASETS:
            try:
                readers.load(spark, out, name)
            except Exception as e:  # a reader that cannot load is a failure
                problems.append(f"{out}/{name}: {type(e).__name__}: {e}")
        problems.extend(readers.errors)
        times["readers"] = round(time.time() - t, 1)
    finally:
        spark.stop()
    times["total"] = round(time.time() - started, 1)
    local_spark.finish("spark", problems, json.dumps(times))


if __name__ == "__main__":
    main()
