# %% [markdown]
# # A retrospective audit of SynPUF visits with claimrules on Spark
#
# The visits of CMS's synthetic Medicare claims kept in the repository
# (data/synpuf/visits_hcpcs_icd9.csv: 1,729 visits, their HCPCS codes) become claims in a Spark
# DataFrame; `claimrules.spark.check` judges them under the standard pack, and
# `claimrules.spark.diff` replays them under a payer's pack (examples/packs/acme-health) to count
# what it would change, rule by rule. Run it from the repository's root, cell by cell in a
# notebook or whole:
#
#     pip install "./python[spark]"
#     python examples/spark/synpuf_audit.py [--master local[2]] [--scale 100] [--ship]
#
# `--scale N` judges every visit N times (new ids), for a larger volume; `--ship` sends the
# pack with the job (`SparkContext.addFile`) as a cluster whose nodes do not see this folder
# needs. docs/spark.md says how to run the same on Databricks.

# %%
import argparse
import os
import pathlib
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from claimrules import spark as cs

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from synpuf import VISITS, visit_claims  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACK = ROOT / "examples" / "packs" / "acme-health"

parser = argparse.ArgumentParser(description="claimrules over the SynPUF visits on Spark")
parser.add_argument("--master", default="local[*]")
parser.add_argument("--scale", type=int, default=1, help="judge every visit this many times")
parser.add_argument("--ship", action="store_true", help="send the pack with the job")
args = parser.parse_args([] if "ipykernel" in sys.modules else None)

# Spark's Python workers run this interpreter, where claimrules is installed.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
spark = (
    SparkSession.builder.master(args.master)
    .appName("claimrules-synpuf-audit")
    .config("spark.sql.shuffle.partitions", "8")
    .config("spark.ui.showConsoleProgress", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")

# %% [markdown]
# ## Visits as claims
#
# One claim a visit: its id, its date, one line for each five-character HCPCS code
# (examples/spark/synpuf.py; the visits' ICD-9 diagnoses are left out, as the claim format takes
# ICD-10-CM codes).

# %%
claims = visit_claims(spark, scale=args.scale)
# A partition is judged by one task on one core: at least as many partitions as cores.
cores = spark.sparkContext.defaultParallelism
claims = claims.repartition(cores).cache()
count = claims.count()
print(f"{count:,} claims from {VISITS.relative_to(ROOT)}, {claims.rdd.getNumPartitions()} partition(s)")
claims.show(3, truncate=False)

# %% [markdown]
# ## Judged under the standard pack

# %%
results = cs.check(claims)
# Every result built and dropped (Spark's "noop" sink), timed.
started = time.perf_counter()
results.write.format("noop").mode("overwrite").save()
took = time.perf_counter() - started
# The first job starts the Python workers, which load the packs: benches/spark_check.py times
# judging alone.
print(f"judged {count:,} claims in {took:.1f} s on {cores} core(s), the workers' start included")
results = results.cache()
results.groupBy("status").count().orderBy("status").show()
(
    results.select(F.explode("findings").alias("f"))
    .groupBy("f.rule", "f.action")
    .count()
    .orderBy(F.desc("count"))
    .show(10, truncate=False)
)

# %% [markdown]
# ## What a payer's pack would change
#
# Acme Health's contract pack applies to services from 2024 on, so the visits are replayed as
# if they had been billed in 2024 (same month and day). Each claim is judged under the standard
# pack alone and under it with acme-health layered over it, in the same task; the findings the
# pack adds and those it takes away, by rule.

# %%
in_2024 = claims.withColumn(
    "service_date", F.make_date(F.lit(2024), F.month("service_date"), F.dayofmonth("service_date"))
)
changes = cs.diff(in_2024, old=[], new=[PACK], ship=args.ship)
changes.show(truncate=False)

spark.stop()
