"""The bindings give the command's results: the same JSON, key for key and value for value,
as `claimrules check` writes for the same claims."""

import json
import subprocess

import pytest

from conftest import example_claims


def run_cli(cli, *args, stdin=None):
    """`claimrules check --format ndjson ARGS`: the results, one dict per line."""
    done = subprocess.run(
        [cli, "check", "--format", "ndjson", "--quiet", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def canonical(results):
    """Each result as JSON with sorted keys: equal text is an equal result."""
    return [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in results]


@pytest.mark.parametrize("path", example_claims(), ids=lambda p: p.name)
def test_each_example_claim_file_gives_the_command_s_result(engine, cli, path):
    expected = run_cli(cli, str(path))
    text = path.read_text(encoding="utf-8")
    assert canonical(engine.check_input(text)) == canonical(expected)
    if len(expected) == 1:
        assert canonical([engine.check(text)]) == canonical(expected)


def test_the_example_claims_as_dicts_give_the_command_s_results_on_their_ndjson(engine, cli, tmp_path):
    claims = [json.loads(p.read_text(encoding="utf-8")) for p in example_claims()]
    claims = [c for c in claims if isinstance(c, dict)]
    ndjson = tmp_path / "claims.ndjson"
    ndjson.write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    expected = run_cli(cli, str(ndjson))
    assert len(expected) == len(claims) > 20
    assert canonical(engine.check_many(claims)) == canonical(expected)
    assert canonical(engine.check_many(claims, threads=1)) == canonical(expected)


def test_the_batch_with_bad_claims_gives_the_command_s_results(engine, cli, repo):
    path = repo / "examples" / "claims" / "batch.ndjson"
    expected = run_cli(cli, str(path))
    assert any(r["status"] == "error" for r in expected)
    assert any(r["status"] != "error" for r in expected)
    assert canonical(engine.check_input(path.read_bytes())) == canonical(expected)
    # One line, one claim: the same results through check_many.
    lines = [line for line in path.read_text(encoding="utf-8").split("\n")]
    if len(lines) == len(expected) + (1 if lines[-1] == "" else 0):
        assert canonical(engine.check_many(lines[: len(expected)])) == canonical(expected)


@pytest.mark.parametrize("pack", ["acme-health", "beacon-health", "coastal-health"])
def test_each_example_pack_gives_the_command_s_results_on_its_claims(cli, repo, pack):
    import claimrules

    folder = repo / "examples" / "packs" / pack
    engine = claimrules.Engine(packs=[folder])
    files = sorted(p for p in (folder / "claims").iterdir() if p.is_file())
    assert files
    for path in files:
        expected = run_cli(cli, "--pack", str(folder), str(path))
        assert expected, path.name
        assert canonical(engine.check_input(path.read_bytes())) == canonical(expected), path.name


def test_x12_gives_the_command_s_results(engine, cli, repo):
    path = repo / "data" / "x12" / "demo.example1.837"
    expected = run_cli(cli, str(path))
    assert expected
    assert canonical(engine.check_input(path.read_bytes())) == canonical(expected)
