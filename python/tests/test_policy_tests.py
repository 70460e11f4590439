"""Policy tests and lint, as `claimrules test` and `claimrules lint` run them."""

import json
import subprocess

import pytest

import claimrules

FAILING = """test "77002 is denied on the day CCI 16.1 takes effect (it is not)"
  claim on 2010-04-01
    line 27093
    line 77002
  expect deny on 77002
"""


def test_the_standard_pack_s_tests_pass(engine):
    report = engine.test()
    assert report["passed"] > 50
    assert report["failed"] == 0
    assert report["failures"] == []
    assert report["coverage"] is None


def test_the_same_counts_as_the_command(engine, cli, repo):
    done = subprocess.run([cli, "test", "--format", "json", str(repo / "examples" / "claims")],
                          capture_output=True, check=False)
    expected = json.loads(done.stdout)
    got = engine.test([repo / "examples" / "claims"])
    assert (got["passed"], got["failed"]) == (expected["passed"], expected["failed"])
    assert got["failures"] == expected["failures"]


def test_a_failing_test_is_reported_with_its_diagnostic(engine, tmp_path):
    path = tmp_path / "mine.test.policy"
    path.write_text(FAILING, encoding="utf-8")
    report = engine.test([path])
    assert report["failed"] == 1
    [failure] = report["failures"]
    assert failure["severity"] == "error"
    assert failure["file"].endswith("mine.test.policy")
    assert failure["line"] == 5


def test_coverage_when_asked(engine):
    report = engine.test(coverage=True)
    assert report["coverage"]["rules_covered"] > 0


def test_a_payer_pack_s_own_tests_run(repo):
    engine = claimrules.Engine(packs=[repo / "examples" / "packs" / "acme-health"])
    report = engine.test()
    assert report["failed"] == 0, report["failures"]
    assert report["passed"] > engine_standard_passed()


def engine_standard_passed():
    return claimrules.Engine().test()["passed"]


def test_lint_of_the_standard_pack_finds_no_error(engine):
    report = engine.lint()
    assert report["errors"] == 0
    assert report["warnings"] == len(report["diagnostics"])


def test_lint_of_a_bad_policy_file_reports_it(engine, cli, tmp_path):
    path = tmp_path / "bad.policy"
    path.write_text("rule bad.one\n  when fluoroscopy_minuts > 2\n  review \"x\"\n", encoding="utf-8")
    report = engine.lint([path])
    assert report["errors"] == 1
    [error] = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert error["file"].endswith("bad.policy")
    assert error["line"] == 2
    done = subprocess.run([cli, "lint", "--format", "json", str(path)], capture_output=True, check=False)
    assert report == json.loads(done.stdout)


def test_lint_of_a_missing_file_raises(engine, tmp_path):
    with pytest.raises(claimrules.PolicyError):
        engine.lint([tmp_path / "missing.policy"])
