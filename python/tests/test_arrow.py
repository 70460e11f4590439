"""Arrow in and out: claims as rows (lines a list of structs), results as an Arrow table."""

import json

import pytest

pa = pytest.importorskip("pyarrow")

from conftest import example_claim_rows  # noqa: E402

LINE = pa.struct([("code", pa.string()), ("modifiers", pa.list_(pa.string())), ("units", pa.int64())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("service_date", pa.date32()),
        ("place_of_service", pa.string()),
        ("diagnoses", pa.list_(pa.string())),
        ("lines", pa.list_(LINE)),
    ]
)


def rows():
    import datetime

    return [
        {"id": "A-1", "service_date": datetime.date(2010, 3, 31), "place_of_service": "11",
         "diagnoses": None, "lines": [{"code": "27093", "modifiers": ["RT"], "units": None}, {"code": "77002", "modifiers": None, "units": 1}]},
        {"id": "A-2", "service_date": datetime.date(2010, 4, 1), "place_of_service": None,
         "diagnoses": ["S82241A"], "lines": [{"code": "27093", "modifiers": [], "units": 1}, {"code": "77002", "modifiers": [], "units": 1}]},
        {"id": "A-3", "service_date": datetime.date(2024, 5, 14), "place_of_service": None,
         "diagnoses": None, "lines": [{"code": "9921", "modifiers": None, "units": 1}]},
    ]


def as_dict(row):
    """A claim row as the claim dict it stands for: nulls left out."""
    if isinstance(row, dict):
        return {k: as_dict(v) for k, v in row.items() if v is not None}
    if isinstance(row, list):
        return [as_dict(v) for v in row]
    if hasattr(row, "isoformat"):
        return row.isoformat()
    return row


def without_nulls_of_change(result):
    """A result as check_arrow's table gives it back: a change's `line` or `lines` that the
    op does not have is null there, absent in the JSON."""
    for finding in result["findings"]:
        change = finding["change"]
        if change:
            for key in ("line", "lines"):
                if change.get(key) is None:
                    change.pop(key, None)
    return result


def canonical(results):
    return [json.dumps(without_nulls_of_change(r), sort_keys=True) for r in results]


def test_a_record_batch_gives_a_table_of_results_row_for_row(engine):
    batch = pa.RecordBatch.from_pylist(rows(), schema=SCHEMA)
    table = engine.check_arrow(batch)
    assert isinstance(table, pa.Table)
    assert table.num_rows == 3
    assert table.column_names == ["format_version", "claim", "status", "findings", "errors"]
    assert table.column("claim").to_pylist() == ["A-1", "A-2", "A-3"]
    status = table.column("status").to_pylist()
    assert status[0] == "deny" and status[1] in ("pass", "review") and status[2] == "error"
    findings = table.schema.field("findings").type
    assert pa.types.is_list(findings) and pa.types.is_struct(findings.value_type)
    assert table.column("errors").to_pylist()[2][0]["path"] == "lines[0].code"


def test_the_table_holds_what_check_many_gives(engine):
    data = rows()
    table = engine.check_arrow(pa.Table.from_pylist(data, schema=SCHEMA))
    expected = engine.check_many([as_dict(r) for r in data])
    assert canonical(table.to_pylist()) == canonical(expected)


def test_the_example_claims_as_arrow_give_their_results(engine):
    claims = example_claim_rows()
    table = pa.Table.from_pylist(claims)
    results = engine.check_arrow(table)
    # The same claims as rows of inferred types: nulls for the keys a claim leaves out.
    expected = engine.check_many([as_dict(r) for r in table.to_pylist()])
    assert canonical(results.to_pylist()) == canonical(expected)
    assert {r["status"] for r in expected} >= {"pass", "deny", "review"}


def test_batches_of_a_table_or_reader_keep_their_rows(engine):
    data = rows() * 100
    table = pa.Table.from_pylist(data, schema=SCHEMA)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=70))
    reader = pa.RecordBatchReader.from_batches(SCHEMA, chunked.to_batches())
    one = engine.check_arrow(table, threads=1)
    assert engine.check_arrow(chunked).to_pylist() == one.to_pylist()
    assert engine.check_arrow(reader, threads=2).to_pylist() == one.to_pylist()
    assert one.column("claim").to_pylist() == [r["id"] for r in data]
    # A bad row's line is its row in the whole data, 1-based, across batches.
    errors = [r["errors"][0]["line"] for r in one.to_pylist() if r["status"] == "error"]
    assert errors == [i + 1 for i, r in enumerate(data) if r["id"] == "A-3"]


def test_no_rows_give_an_empty_table(engine):
    table = engine.check_arrow(pa.Table.from_pylist([], schema=SCHEMA))
    assert table.num_rows == 0
    assert "findings" in table.column_names


def test_an_unknown_column_is_an_error_result_of_each_row(engine):
    data = [dict(r, colour="red") for r in rows()[:2]]
    table = engine.check_arrow(pa.Table.from_pylist(data))
    assert table.column("status").to_pylist() == ["error", "error"]
    assert "colour" in table.column("errors").to_pylist()[0][0]["message"]


def test_something_not_arrow_is_refused(engine):
    with pytest.raises((TypeError, ValueError)):
        engine.check_arrow([{"id": "x"}])


def test_many_slices_judged_in_parallel_keep_their_order(engine):
    # Enough rows for check_arrow to cut each batch in several slices taken by its workers.
    data = [dict(r, id=f"{r['id']}-{i}") for i, r in enumerate(rows() * 1500)]
    table = pa.Table.from_pylist(data, schema=SCHEMA)
    one = engine.check_arrow(table, threads=1).to_pylist()
    for threads in (2, 3):
        assert engine.check_arrow(table, threads=threads).to_pylist() == one
    assert [r["claim"] for r in one] == [r["id"] for r in data]
    errors = [r["errors"][0]["line"] for r in one if r["status"] == "error"]
    assert errors == [i + 1 for i, r in enumerate(data) if r["id"].startswith("A-3")]


def test_the_table_holds_the_command_s_results(engine, cli, tmp_path):
    import subprocess

    claims = example_claim_rows()
    table = pa.Table.from_pylist(claims * 40)
    # The rows as the command reads them: each row's claim, its null values left out.
    ndjson = tmp_path / "rows.ndjson"
    ndjson.write_text("".join(json.dumps(as_dict(r)) + "\n" for r in table.to_pylist()), encoding="utf-8")
    done = subprocess.run([cli, "check", "--format", "ndjson", "--quiet", str(ndjson)],
                          capture_output=True, check=False)
    assert done.returncode in (0, 1), done.stderr.decode()
    expected = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(expected) == table.num_rows
    assert canonical(engine.check_arrow(table, threads=2).to_pylist()) == [
        json.dumps(r, sort_keys=True) for r in expected]
