"""Type stubs of the native module; the package `claimrules` re-exports what it defines."""

import os
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Union, overload

StrPath = Union[str, "os.PathLike[str]"]
# A claim in the claim format of docs/formats.md, or one claim's JSON text.
ClaimLike = Union[Mapping[str, Any], str, bytes]
# A result as `claimrules check` writes it (docs/formats.md): format_version, claim, status,
# findings, errors (and explain, when asked for).
Result = Dict[str, Any]

FORMAT_VERSION: str
__version__: str

class PolicyError(Exception):
    """The packs do not load, or a path given cannot be read: the message holds every
    diagnostic, rendered as `claimrules check` prints them (without colour), then a count."""

class Engine:
    """Policy packs loaded once, ready to judge claims from any thread.

    ``Engine(packs=[], tables={}, standard=True)`` loads the embedded standard pack (unless
    ``standard=False``), then each pack folder of ``packs`` layered over it in order, with the
    tables of ``tables`` (``{name: path}``) pointed at other data, as ``claimrules check --pack
    DIR --table NAME=PATH`` does. Packs that do not load raise :class:`PolicyError`.
    """

    def __init__(
        self,
        packs: Sequence[StrPath] = ...,
        tables: Mapping[str, StrPath] = ...,
        standard: bool = True,
    ) -> None: ...
    def check(self, claim: ClaimLike, *, explain: bool = False) -> Result:
        """Judges one claim (a dict, or its JSON text); a claim that does not read is an
        ``error`` result naming the JSON path, never an exception."""
    @overload
    def check_many(
        self,
        claims: Iterable[ClaimLike],
        *,
        threads: Optional[int] = None,
        explain: bool = False,
        as_json: Literal[False] = False,
    ) -> List[Result]: ...
    @overload
    def check_many(
        self,
        claims: Iterable[ClaimLike],
        *,
        threads: Optional[int] = None,
        explain: bool = False,
        as_json: Literal[True],
    ) -> List[str]:
        """Judges every claim on every core (or ``threads``) with the GIL released; one
        result per claim, in order, as ``claimrules check`` writes them for the same claims
        given as NDJSON: dicts, or with ``as_json=True`` each result's JSON line."""
    def check_input(
        self,
        text: Union[str, bytes],
        *,
        threads: Optional[int] = None,
        explain: bool = False,
    ) -> List[Result]:
        """Judges every claim of an input as ``claimrules check FILE`` reads it (a JSON
        object, array or NDJSON, or X12 837P text)."""
    def check_arrow(self, data: Any, *, threads: Optional[int] = None) -> Any:
        """Judges the claims of Arrow data (a ``pyarrow.RecordBatch``, ``Table``,
        ``RecordBatchReader`` or any object with ``__arrow_c_stream__``), one claim a row;
        returns a ``pyarrow.Table`` of results, row for row: ``format_version``, ``claim``,
        ``status``, ``findings`` and ``errors``."""
    def test(self, paths: Sequence[StrPath] = ..., *, coverage: bool = False) -> Dict[str, Any]:
        """Runs the packs' policy tests and those of ``paths``, as ``claimrules test
        --format json``: ``passed``, ``failed``, ``failures``, ``coverage``."""
    def lint(self, paths: Sequence[StrPath] = ...) -> Dict[str, Any]:
        """Checks the packs with ``paths`` layered over them, as ``claimrules lint --format
        json``: ``errors``, ``warnings``, ``diagnostics``."""
    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """The checker's warnings about the loaded packs, as ``lint --format json`` gives
        each diagnostic."""
    @property
    def packs(self) -> List[str]:
        """The packs loaded, bottom first: ``"standard"``, then each folder's path."""
