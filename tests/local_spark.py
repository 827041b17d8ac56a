"""What the suite's Python scripts that use Spark share (tests/readers.py,
tests/sql.py): one local SparkSession sized for a 2-core CI machine, and the
closing lines tests/cli.rs and tests/sql.rs look for."""

import sys


def session(app, conf=None):
    """A local SparkSession on two cores, quiet, without UI; `conf` ({key:
    value}) adds settings."""
    from pyspark.sql import SparkSession
    builder = (SparkSession.builder.master("local[2]").appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def finish(tool, errors, seconds):
    """Prints the times and `TOOL: ok`, or every mismatch and exits 1."""
    print("seconds: " + seconds)
    if errors:
        print(f"{tool}: {len(errors)} mismatch(es):\n  " + "\n  ".join(errors))
        sys.exit(1)
    print(f"{tool}: ok")
