"""Shared fixtures: the repository, the standard engine (loaded once), and the command's
binary for the comparisons with `claimrules check`."""

import os
import pathlib
import shutil

import pytest

import claimrules

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    """The repository's root."""
    return REPO


@pytest.fixture(scope="session")
def engine() -> claimrules.Engine:
    """The standard pack, loaded once for the session."""
    return claimrules.Engine()


@pytest.fixture(scope="session")
def cli() -> str:
    """The `claimrules` binary: $CLAIMRULES_BIN, else the repository's target/debug build,
    else one on PATH. The Rust test that runs this suite (tests/python_bindings.rs) always
    sets CLAIMRULES_BIN."""
    given = os.environ.get("CLAIMRULES_BIN")
    if given:
        return given
    built = REPO / "target" / "debug" / "claimrules"
    if built.exists():
        return str(built)
    found = shutil.which("claimrules")
    if found:
        return found
    pytest.skip("no claimrules binary: set CLAIMRULES_BIN or run `cargo build`")


def example_claims() -> list:
    """The sample claim files of examples/claims (one claim object each)."""
    return sorted((REPO / "examples" / "claims").glob("*.json"))


def example_claim_rows() -> list:
    """The sample claims of examples/claims as dicts ready to be Arrow rows: one Arrow type a
    column, so charges are written as strings (the claim format takes either)."""
    import json

    claims = [json.loads(p.read_text(encoding="utf-8")) for p in example_claims()]
    claims = [c for c in claims if isinstance(c, dict)]
    for claim in claims:
        for line in claim["lines"]:
            if line.get("charge") is not None:
                line["charge"] = str(line["charge"])
    return claims
