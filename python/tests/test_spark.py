"""claimrules.spark in a local Spark session (local[2]): results identical to the command's on
100,000 claims read from Parquet, packs shipped with the job, and the replay of two pack sets.

Skipped, with the reason, only where Java is absent; pyspark itself is installed by .ci/python.
"""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from conftest import example_claim_rows


def java() -> str:
    """The `java` command Spark would start, or "" when there is none."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java") or ""


if not java():
    pytest.skip("no Java on this machine (java on PATH or JAVA_HOME): Spark cannot start",
                allow_module_level=True)

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

import claimrules  # noqa: E402
from claimrules import spark as cs  # noqa: E402

CLAIMS = 100_000


@pytest.fixture(scope="module")
def spark():
    # The workers run this interpreter, where claimrules and pyarrow are installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("claimrules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Parquet read in partitions of its row groups, so that both cores judge.
        .config("spark.sql.files.maxPartitionBytes", "256k")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def sample_table() -> "pa.Table":
    """The sample claims of examples/claims as Arrow rows."""
    return pa.Table.from_pylist(example_claim_rows())


def without_nulls(value):
    """A row as the claim it stands for: null values are keys left out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def many_claims(tmp_path, count):
    """`count` claims cycled from the samples, ids S-0, S-1, ..., as a Parquet file and as the
    NDJSON of the same claims; returns both paths."""
    samples = sample_table()
    whole, rest = divmod(count, samples.num_rows)
    table = pa.concat_tables([samples] * whole + [samples.slice(0, rest)])
    ids = pa.array([f"S-{i}" for i in range(count)], pa.string())
    table = table.set_column(table.schema.get_field_index("id"), "id", ids)
    parquet = tmp_path / "claims.parquet"
    pq.write_table(table, parquet, row_group_size=20_000)
    texts = [json.dumps(without_nulls(row)) for row in samples.to_pylist()]
    ndjson = tmp_path / "claims.ndjson"
    with open(ndjson, "w", encoding="utf-8") as out:
        for i in range(count):
            text = texts[i % len(texts)]
            # Each sample's id is its first key: the same claim with the new id.
            assert text.startswith('{"id": ')
            out.write('{"id": "S-%d", ' % i + text[text.index(",") + 2:] + "\n")
    return parquet, ndjson


def cli_results(cli, path, *packs):
    args = [cli, "check", "--format", "ndjson", "--quiet"]
    for pack in packs:
        args += ["--pack", str(pack)]
    done = subprocess.run(args + [str(path)], capture_output=True, check=False)
    assert done.returncode in (0, 1), done.stderr.decode()
    return [json.loads(line) for line in done.stdout.splitlines()]


def canonical(result):
    """A result as sorted-key JSON; in a `change`, a null is a key the JSON leaves out (a
    struct has every field)."""
    for finding in result["findings"]:
        change = finding.get("change")
        if change:
            finding["change"] = {k: v for k, v in change.items() if v is not None}
    return json.dumps(result, sort_keys=True, ensure_ascii=False)


def test_100000_claims_from_parquet_give_the_command_s_results(spark, cli, tmp_path):
    parquet, ndjson = many_claims(tmp_path, CLAIMS)
    claims = spark.read.parquet(str(parquet))
    assert claims.rdd.getNumPartitions() >= 2
    results = cs.check(claims)
    assert results.columns == ["format_version", "claim", "status", "findings", "errors"]
    got = results.toArrow().to_pylist()
    expected = cli_results(cli, ndjson)
    assert len(got) == len(expected) == CLAIMS
    by_id = {r["claim"]: canonical(r) for r in got}
    assert len(by_id) == CLAIMS
    mismatched = [r["claim"] for r in expected if by_id.get(r["claim"]) != canonical(r)]
    assert not mismatched, f"{len(mismatched)} results differ, first {mismatched[:3]}"
    assert {r["status"] for r in expected} >= {"pass", "review", "deny"}


def test_packs_shipped_with_the_job_give_what_local_paths_give(spark, repo, tmp_path):
    pack = repo / "examples" / "packs" / "acme-health"
    df = spark.read.parquet(str(many_claims(tmp_path, 500)[0]))
    local = cs.check(df, packs=[pack]).toArrow().to_pylist()
    shipped = cs.check(df, packs=[pack], ship=True).toArrow().to_pylist()
    # A pack's findings name its policy file where the worker read it: the job's copy.
    copies = set()
    for result in shipped:
        for finding in result["findings"]:
            file = finding["policy"]["file"]
            if finding["pack"]["name"] == "acme-health":
                copy, rest = file.split(os.sep + "acme-health" + os.sep)
                copies.add(copy)
                finding["policy"]["file"] = str(pack / rest)
    assert len(copies) == 1 and not copies & {str(pack.parent)}
    assert shipped == local
    rules = {f["rule"] for r in local for f in r["findings"]}
    assert any(rule.startswith("acme.") for rule in rules)


def test_packs_that_do_not_load_raise_on_the_driver(spark, tmp_path):
    bad = tmp_path / "bad-pack"
    bad.mkdir()
    (bad / "broken.policy").write_text(
        "rule broken.fluoro\n  when fluoroscopy_minuts > 2\n  review \"too long\"\n", encoding="utf-8")
    df = spark.createDataFrame([("x",)], "id string")
    with pytest.raises(claimrules.PolicyError) as raised:
        cs.check(df, packs=[bad])
    assert "broken.policy:2" in str(raised.value)


def test_two_files_of_one_name_cannot_be_shipped(spark, repo, tmp_path):
    other = tmp_path / "acme-health"
    shutil.copytree(repo / "examples" / "packs" / "acme-health", other)
    df = spark.createDataFrame([("x",)], "id string")
    with pytest.raises(ValueError, match="same name"):
        cs.check(df, packs=[repo / "examples" / "packs" / "acme-health", other], ship=True)


def decisions(results):
    """Each result's findings as a multiset of (rule, action, what it asks: lines, codes,
    change)."""
    out = []
    for r in results:
        out.append(Counter(
            (f["rule"], f["action"], json.dumps(
                [f["lines"], f["code"], f["suggested_code"], f["change"]], sort_keys=True))
            for f in r["findings"]))
    return out


def test_diff_counts_by_rule_what_the_new_packs_change(spark, cli, repo, tmp_path):
    pack = repo / "examples" / "packs" / "acme-health"
    parquet, ndjson = many_claims(tmp_path, 2_000)
    df = spark.read.parquet(str(parquet))
    got = [tuple(row) for row in cs.diff(df, old=[], new=[pack]).collect()]
    expected = Counter()
    for was, now in zip(decisions(cli_results(cli, ndjson)), decisions(cli_results(cli, ndjson, pack))):
        for (rule, action, _), n in (now - was).items():
            expected[(rule, action, "added")] += n
        for (rule, action, _), n in (was - now).items():
            expected[(rule, action, "removed")] += n
    rows = sorted({(rule, action) for rule, action, _ in expected})
    assert rows, "the pack changes nothing on these claims"
    assert got == [(rule, action, expected[(rule, action, "added")], expected[(rule, action, "removed")])
                   for rule, action in rows]
    # And the other way round: what is added one way is removed the other.
    back = {(r, a): (add, rem) for r, a, add, rem in cs.diff(df, old=[pack], new=[]).collect()}
    assert back == {(r, a): (rem, add) for r, a, add, rem in got}


def test_the_same_packs_change_nothing(spark, tmp_path):
    df = spark.read.parquet(str(many_claims(tmp_path, 300)[0]))
    assert cs.diff(df, old=[], new=[]).collect() == []


def test_a_table_shipped_with_the_job_and_pack_sets_with_tables(spark, tmp_path):
    # The shipped MUE table allows 1 unit of 77002; a one-row file in its layout allows 5.
    mue = tmp_path / "mue.tsv"
    mue.write_text(
        "hcpcs\tmue_uos\tmai\tmai_desc\tservice_type\trationale\n"
        "77002\t5\t3\tDate of Service Edit: Clinical\tPractitioner\tCMS Policy\n",
        encoding="utf-8",
    )
    df = spark.createDataFrame(
        [("M-1", "2024-05-14", [("77002", 3)]), ("M-2", "2024-05-14", [("77002", 1)])],
        "id string, service_date string, lines array<struct<code: string, units: long>>",
    )

    def mue_findings(results):
        return {r["claim"]: [f["rule"] for f in r["findings"] if (f["table"] or {}).get("name") == "ncci_mue"]
                for r in results.toArrow().to_pylist()}

    assert mue_findings(cs.check(df))["M-1"]
    assert mue_findings(cs.check(df, tables={"ncci_mue": mue}, ship=True)) == {"M-1": [], "M-2": []}
    changes = cs.diff(df, old=cs.PackSet.of(), new=cs.PackSet.of(tables={"ncci_mue": mue})).collect()
    assert [(r["rule"], r["action"], r["added"], r["removed"]) for r in changes] == [
        (rule, "deny", 0, 1) for rule in mue_findings(cs.check(df))["M-1"]]
