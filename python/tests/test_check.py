"""Judging claims: one at a time, in batches, from any input the command reads."""

import json

import pytest

DENIED = {
    "id": "CLM-1",
    "service_date": "2010-03-31",
    "lines": [{"code": "27093"}, {"code": "77002"}],
}
PASSING = {"id": "CLM-2", "service_date": "2024-05-14", "lines": [{"code": "99213"}]}


def test_a_dict_is_judged(engine):
    result = engine.check(DENIED)
    assert list(result) == ["format_version", "claim", "status", "findings", "errors"]
    assert result["claim"] == "CLM-1"
    assert result["status"] == "deny"
    denial = next(f for f in result["findings"] if f["action"] == "deny")
    assert denial["lines"] == [2]
    assert denial["code"] == "77002"
    assert result["errors"] == []


def test_json_text_as_str_or_bytes_gives_the_same_result(engine):
    text = json.dumps(PASSING)
    assert engine.check(text) == engine.check(PASSING)
    assert engine.check(text.encode()) == engine.check(PASSING)
    assert engine.check(PASSING)["status"] == "pass"


def test_a_bad_claim_is_an_error_result_naming_the_path(engine):
    bad = {"id": "BAD-1", "service_date": "2024-05-14", "lines": [{"code": "9921"}]}
    result = engine.check(bad)
    assert result["status"] == "error"
    assert result["claim"] == "BAD-1"
    assert result["findings"] == []
    [error] = result["errors"]
    assert error["path"] == "lines[0].code"
    assert "9921" in error["message"]
    assert error["line"] == 1


def test_text_that_is_not_json_is_an_error_result(engine):
    result = engine.check('{"id": "B-4", "service_date": "2024-05-14", "lines": [{"code": "27756"')
    assert result["status"] == "error"
    assert result["errors"][0]["message"].startswith("the JSON ends too soon")


def test_a_value_json_cannot_hold_is_an_error_result(engine):
    claim = dict(PASSING, documentation={"fluoroscopy_minutes": float("nan")})
    result = engine.check(claim)
    assert result["status"] == "error"
    assert result["claim"] is None
    assert result["errors"][0]["message"].startswith("the claim cannot be written as JSON")


def test_check_many_keeps_the_order_and_judges_around_a_bad_claim(engine):
    claims = [DENIED, {"id": "BAD", "lines": []}, PASSING, "not json", json.dumps(DENIED)]
    results = engine.check_many(claims)
    assert [r["status"] for r in results] == ["deny", "error", "pass", "error", "deny"]
    assert [r["claim"] for r in results] == ["CLM-1", "BAD", "CLM-2", None, "CLM-1"]
    # An error's line is the claim's 1-based position, as the line of an NDJSON input.
    assert results[1]["errors"][0]["line"] == 2
    assert results[3]["errors"][0]["line"] == 4
    assert results[0] == results[4] == engine.check(DENIED)


def test_check_many_takes_any_iterable_and_any_thread_count(engine):
    claims = [dict(DENIED, id=f"C-{i}") for i in range(300)]
    expected = engine.check_many(claims, threads=1)
    assert engine.check_many(iter(claims), threads=2) == expected
    assert engine.check_many((c for c in claims)) == expected
    assert [r["claim"] for r in expected] == [f"C-{i}" for i in range(300)]
    assert engine.check_many([]) == []


def test_as_json_gives_each_result_s_json_line(engine):
    claims = [DENIED, "not json", PASSING]
    lines = engine.check_many(claims, as_json=True)
    assert all(isinstance(line, str) and "\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == engine.check_many(claims)
    assert lines[0].startswith('{"format_version":')
    assert engine.check_many([], as_json=True) == []


def test_a_thread_count_out_of_range_is_refused(engine):
    with pytest.raises(ValueError, match="at least 1"):
        engine.check_many([DENIED], threads=0)
    with pytest.raises(ValueError, match="at most 256"):
        engine.check_many([DENIED], threads=1000)


def test_a_text_holding_two_claims_is_one_error_result(engine):
    [result] = engine.check_many([json.dumps([DENIED, PASSING])])
    assert result["status"] == "error"
    assert "holds 2 claims" in result["errors"][0]["message"]


def test_explain_adds_the_explanation(engine):
    assert "explain" not in engine.check(DENIED)
    assert "explain" in engine.check(DENIED, explain=True)
    assert all("explain" in r for r in engine.check_many([DENIED, PASSING], explain=True))


def test_check_input_reads_what_the_command_reads(engine, repo):
    text = (repo / "examples" / "claims" / "batch.ndjson").read_text(encoding="utf-8")
    results = engine.check_input(text)
    assert [r["claim"] for r in results][:3] == ["B-1", "B-2", "B-3"]
    assert {r["status"] for r in results} >= {"error", "deny"}
    x12 = (repo / "data" / "x12" / "demo.example1.837").read_bytes()
    assert all(r["claim"] for r in engine.check_input(x12))
