"""Loading packs: the standard pack, payer packs and tables, and packs that do not load."""

import pathlib

import pytest

import claimrules


def test_the_standard_pack_loads_by_default(engine):
    assert engine.packs == ["standard"]
    assert isinstance(engine.warnings, list)
    assert "standard" in repr(engine)


def test_payer_packs_layer_over_the_standard_pack(repo):
    acme = repo / "examples" / "packs" / "acme-health"
    engine = claimrules.Engine(packs=[acme])
    assert engine.packs == ["standard", str(acme)]
    # A path as str works as a PathLike does.
    assert claimrules.Engine(packs=[str(acme)]).packs == engine.packs


def test_without_the_standard_pack_only_the_packs_given_load(tmp_path):
    (tmp_path / "mine.policy").write_text(
        "rule mine.bundled\n  77002 with 27093 denied\n", encoding="utf-8"
    )
    engine = claimrules.Engine(packs=[tmp_path], standard=False)
    assert engine.packs == [str(tmp_path)]
    result = engine.check(
        {"id": "C-1", "service_date": "2024-01-01", "lines": [{"code": "27093"}, {"code": "77002"}]}
    )
    assert result["status"] == "deny"
    assert [f["rule"] for f in result["findings"]] == ["mine.bundled"]


def test_a_bad_pack_raises_policy_error_with_the_rendered_diagnostics(tmp_path):
    (tmp_path / "broken.policy").write_text(
        "rule broken.fluoro\n  when fluoroscopy_minuts > 2\n  review \"too long\"\n",
        encoding="utf-8",
    )
    with pytest.raises(claimrules.PolicyError) as raised:
        claimrules.Engine(packs=[tmp_path])
    message = str(raised.value)
    # The diagnostic as the command renders it: the file, the line, the name, the hint.
    assert "broken.policy:2" in message
    assert "fluoroscopy_minuts" in message
    assert "did you mean `fluoroscopy_minutes`?" in message
    assert message.rstrip().endswith("the policies do not load: 1 error(s), 0 warning(s)")
    # No colour codes.
    assert "\x1b[" not in message


def test_a_missing_pack_folder_raises_policy_error(tmp_path):
    with pytest.raises(claimrules.PolicyError) as raised:
        claimrules.Engine(packs=[tmp_path / "does-not-exist"])
    # The rendering wraps long paths at 100 columns.
    message = " ".join(str(raised.value).split())
    assert "cannot read pack folder" in message
    assert "No such file or directory" in message


def test_a_table_no_pack_declares_raises_policy_error(tmp_path):
    data = tmp_path / "rows.tsv"
    data.write_text("x\n", encoding="utf-8")
    with pytest.raises(claimrules.PolicyError, match="no loaded pack declares a table `ncci_ptpp`"):
        claimrules.Engine(tables={"ncci_ptpp": data})


def test_a_table_pointed_at_other_data_is_read_from_it(repo, tmp_path):
    # The shipped MUE table allows 1 unit of 77002; a one-row file in its layout allows 5.
    shipped = claimrules.Engine()
    claim = {"id": "M-1", "service_date": "2024-05-14", "lines": [{"code": "77002", "units": 3}]}
    before = shipped.check(claim)
    assert any(f["table"] and f["table"]["name"] == "ncci_mue" for f in before["findings"])
    mue = tmp_path / "mue.tsv"
    mue.write_text(
        "hcpcs\tmue_uos\tmai\tmai_desc\tservice_type\trationale\n"
        "77002\t5\t3\tDate of Service Edit: Clinical\tPractitioner\tCMS Policy\n",
        encoding="utf-8",
    )
    other = claimrules.Engine(tables={"ncci_mue": mue})
    after = other.check(claim)
    assert not any(f["table"] and f["table"]["name"] == "ncci_mue" for f in after["findings"])


def test_the_package_exposes_its_version():
    assert claimrules.FORMAT_VERSION.startswith("2.")
    assert isinstance(claimrules.__version__, str)
    assert (pathlib.Path(claimrules.__file__).parent / "py.typed").exists()
