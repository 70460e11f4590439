"""The SynPUF visits of data/synpuf/visits_hcpcs_icd9.csv as a Spark DataFrame of claims, for
examples/spark/synpuf_audit.py and benches/spark_check.py.

One claim a visit: its id (``V-`` and the visit's id), its date, one line for each
five-character HCPCS code. The visits' diagnoses are ICD-9 codes, which the claim format
(ICD-10-CM) does not take, so they are left out.
"""

import pathlib

from pyspark.sql import functions as F

VISITS = pathlib.Path(__file__).resolve().parents[2] / "data" / "synpuf" / "visits_hcpcs_icd9.csv"


def visit_claims(spark, scale=1):
    """The visits as claims (``id``, ``service_date``, ``lines``); with ``scale`` over 1, each
    visit that many times, its copies' ids ending in ``-0``, ``-1``, ..."""
    visits = spark.read.csv(
        str(VISITS),
        header=True,
        schema="visit_occurrence_id string, person_id string, date date, hcpcs_codes string, icd9_dx_codes string",
    )
    codes = F.filter(F.split("hcpcs_codes", " "), lambda code: code.rlike("^[A-Za-z0-9]{5}$"))
    claims = visits.select(
        F.concat(F.lit("V-"), "visit_occurrence_id").alias("id"),
        F.col("date").alias("service_date"),
        F.transform(codes, lambda code: F.struct(code.alias("code"))).alias("lines"),
    ).where(F.size("lines") > 0)
    if scale > 1:
        copies = spark.range(scale).withColumnRenamed("id", "copy")
        claims = claims.crossJoin(copies).select(
            F.concat("id", F.lit("-"), F.col("copy").cast("string")).alias("id"), "service_date", "lines"
        )
    return claims
