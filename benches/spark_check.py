"""Claims per second through `claimrules.spark.check` in a local Spark session (docs/spark.md,
"Throughput and memory").

    python benches/spark_check.py [--master local[1]] [--scale 300] [--claims 200000]

Run it from the repository's root with an interpreter where `pip install "./python[spark]"`
installed the package (Java on the machine). Two sets of claims, each repartitioned to the
session's cores and cached before the clock starts:

- the SynPUF visits of data/synpuf/visits_hcpcs_icd9.csv as examples/spark/synpuf.py builds
  them for the example (one line per HCPCS code), each visit `--scale` times;
- the sample claims of examples/claims (documentation, notes, most with findings), cycled to
  `--claims`, read from a Parquet file.

Each is judged by `check` into Spark's "noop" sink (every result built, none kept), best of two
runs after a warm-up that loads the packs in every worker.
"""

import argparse
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benches"))
sys.path.insert(0, str(ROOT / "examples" / "spark"))

from python_check import sample_claims  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--master", default="local[1]")
    parser.add_argument("--scale", type=int, default=300)
    parser.add_argument("--claims", type=int, default=200_000)
    args = parser.parse_args()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession

    from claimrules import spark as cs
    from synpuf import visit_claims

    spark = (
        SparkSession.builder.master(args.master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    cores = spark.sparkContext.defaultParallelism

    visits = visit_claims(spark, scale=args.scale)
    with tempfile.TemporaryDirectory() as tmp:
        parquet = os.path.join(tmp, "claims.parquet")
        pq.write_table(pa.Table.from_pylist(sample_claims(args.claims)), parquet)
        samples = spark.read.parquet(parquet)
        print(f"{args.master}: {cores} core(s)")
        for name, claims in (("SynPUF visits", visits), ("sample claims", samples)):
            claims = claims.repartition(cores).cache()
            count = claims.count()
            cs.check(claims).write.format("noop").mode("overwrite").save()  # warm-up
            best = float("inf")
            for _ in range(2):
                started = time.perf_counter()
                cs.check(claims).write.format("noop").mode("overwrite").save()
                best = min(best, time.perf_counter() - started)
            print(f"{name:<14} {count:>9,} claims in {best:5.2f} s: {count / best:>9,.0f} claims/s, "
                  f"{count / best / cores:>9,.0f} a core")
            claims.unpersist()
    spark.stop()


if __name__ == "__main__":
    main()
