"""Claims judged over Spark DataFrames (docs/spark.md).

:func:`check` judges every row of a DataFrame of claims with ``mapInArrow``: each Python worker
of an executor loads the packs once (a module-level cache keyed by the packs, tables and
``standard``) and judges the Arrow batches Spark hands it with :meth:`Engine.check_arrow`. The
result is a DataFrame of results, one row per claim: ``format_version``, ``claim`` (the claim's
id), ``status``, ``findings`` (an array of structs) and ``errors``, the columns of
``check_arrow``'s table.

:func:`diff` replays the same claims under two pack sets in one pass and counts, rule by rule,
the findings the new packs add and those they no longer give.

The packs and tables are read where the Python workers run. With ``ship=False`` (the default)
their paths are opened as given on every executor: a local session, or storage every node
mounts (``/dbfs/...``, ``/Workspace/...`` on Databricks). With ``ship=True`` each pack folder
and table file is sent with the job through ``SparkContext.addFile`` and read from
``SparkFiles`` on the executors; two of them may not share a file name then.

pyspark (3.3 or later, with pandas and pyarrow) is needed by this module only.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Sequence, Tuple, Union

from ._native import Engine

__all__ = ["PackSet", "check", "diff", "DIFF_COLUMNS"]

StrPath = Union[str, "os.PathLike[str]"]

# The columns of diff's DataFrame.
DIFF_COLUMNS = ("rule", "action", "added", "removed")

# The engines of this process, one for each pack set, loaded on first use and kept while the
# Python worker lives (Spark reuses its workers across tasks unless
# spark.python.worker.reuse is false).
_ENGINES: Dict["PackSet", Engine] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PackSet:
    """What an :class:`Engine` loads: pack folders layered over the standard pack (unless
    ``standard=False``), and tables pointed at other files (``{name: path}``), as
    ``Engine(packs, tables, standard)`` takes them. ``shipped`` says the paths are file names
    of ``SparkFiles`` (sent with ``ship=True``) rather than paths to open as they are."""

    packs: Tuple[str, ...] = ()
    tables: Tuple[Tuple[str, str], ...] = ()
    standard: bool = True
    shipped: bool = field(default=False)

    @staticmethod
    def of(
        packs: Sequence[StrPath] = (),
        tables: Optional[Mapping[str, StrPath]] = None,
        standard: bool = True,
    ) -> "PackSet":
        """A pack set of local paths (made absolute, so that a worker started elsewhere
        finds them)."""
        if isinstance(packs, (str, os.PathLike)):
            packs = [packs]
        return PackSet(
            packs=tuple(os.path.abspath(os.fspath(p)) for p in packs),
            tables=tuple(sorted((str(k), os.path.abspath(os.fspath(v))) for k, v in (tables or {}).items())),
            standard=bool(standard),
        )

    def engine(self) -> Engine:
        """This process's engine for the pack set, loaded the first time it is asked for."""
        with _LOCK:
            engine = _ENGINES.get(self)
            if engine is None:
                packs, tables = list(self.packs), dict(self.tables)
                if self.shipped:
                    from pyspark import SparkFiles

                    packs = [SparkFiles.get(p) for p in packs]
                    tables = {k: SparkFiles.get(v) for k, v in tables.items()}
                engine = Engine(packs=packs, tables=tables, standard=self.standard)
                _ENGINES[self] = engine
            return engine

    def ship(self, spark: Any) -> "PackSet":
        """Sends every pack folder and table file with the jobs of ``spark`` (a SparkSession)
        and returns the pack set that reads them from ``SparkFiles`` on the executors."""
        if self.shipped:
            return self
        paths = list(self.packs) + [path for _, path in self.tables]
        names: Dict[str, str] = {}
        for path in paths:
            name = _file_name(path)
            if names.get(name, path) != path:
                raise ValueError(
                    f"{names[name]} and {path} have the same name, {name!r}: files shipped "
                    "with a job are found by name; rename one"
                )
            names[name] = path
        context = spark.sparkContext
        for path in dict.fromkeys(paths):
            context.addFile(path, recursive=os.path.isdir(path))
        return PackSet(
            packs=tuple(_file_name(p) for p in self.packs),
            tables=tuple((k, _file_name(v)) for k, v in self.tables),
            standard=self.standard,
            shipped=True,
        )


def _file_name(path: str) -> str:
    """The name SparkFiles knows a shipped file or folder by."""
    return os.path.basename(path.rstrip(os.sep))


def _pack_set(packs: Any, tables: Optional[Mapping[str, StrPath]], standard: bool) -> PackSet:
    if isinstance(packs, PackSet):
        if tables is not None:
            raise ValueError("give the tables in the PackSet, not beside it")
        return packs
    return PackSet.of(packs, tables, standard)


def _prepare(spark: Any, packs: PackSet, ship: bool) -> PackSet:
    """Ships the packs when asked to, and loads them on the driver (so that packs that do not
    load raise PolicyError here, before any task runs): the pack set the tasks load."""
    shipped = packs.ship(spark) if ship else packs
    packs.engine()
    return shipped


def _result_schema(engine: Engine) -> Any:
    """The Spark schema of check_arrow's results: that of the table it gives for no claims,
    every field nullable (as Spark's own columns are, so that collecting the results to
    Arrow or pandas checks no nullability)."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructType

    def nullable(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: True if k in ("nullable", "containsNull", "valueContainsNull") else nullable(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [nullable(v) for v in node]
        return node

    empty = engine.check_arrow(pa.table({"id": pa.array([], pa.string())}))
    return StructType.fromJson(nullable(from_arrow_schema(empty.schema).jsonValue()))


def check(
    df: Any,
    packs: Union[Sequence[StrPath], PackSet] = (),
    tables: Optional[Mapping[str, StrPath]] = None,
    standard: bool = True,
    *,
    ship: bool = False,
) -> Any:
    """The results of the claims of ``df``, one row per claim row, as a DataFrame.

    ``df``'s rows are claims with the claim format's keys as columns (docs/python.md, "Arrow":
    ``id``, ``service_date``, ``lines`` an array of structs, ...); a column that is not a claim
    key gives an ``error`` result, so select the claim's columns first. The result's columns
    are ``format_version``, ``claim`` (the claim's id), ``status``, ``findings`` (an array of
    structs: ``rule``, ``action``, ``lines``, ``code``, ...) and ``errors``. An error's
    ``line`` is the row's number in the Arrow batch Spark gave the worker.

    ``packs``, ``tables`` and ``standard`` are :class:`Engine`'s (or give a :class:`PackSet`);
    the packs are loaded on the driver first, so packs that do not load raise
    :class:`claimrules.PolicyError` here. ``ship=True`` sends them with the job
    (``SparkContext.addFile``) for executors that cannot open the driver's paths.
    """
    spark = df.sparkSession
    local = _pack_set(packs, tables, standard)
    run = _prepare(spark, local, ship)
    schema = _result_schema(local.engine())

    def judge(batches: Iterable[Any]) -> Iterator[Any]:
        engine = run.engine()
        for batch in batches:
            # One worker thread: Spark runs a task on each core already.
            yield from engine.check_arrow(batch, threads=1).to_batches()

    return df.mapInArrow(judge, schema)


def _finding_key(finding: Mapping[str, Any]) -> Tuple[Any, ...]:
    """What makes two findings the same decision: the rule, its action, the lines, codes and
    change it gives; not the message, the policy's position or the pack's version, which an
    edit of the packs moves without changing what is asked of the claim."""
    change = finding.get("change")
    if change is not None:
        change = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in change.items() if v is not None))
    return (
        finding["rule"],
        finding["action"],
        tuple(finding["lines"] or ()),
        finding.get("code"),
        finding.get("suggested_code"),
        change,
    )


def changed_findings(old: Sequence[Any], new: Sequence[Any]) -> Counter:
    """The findings of each claim's old results that its new results no longer give, and
    those they add, counted by ``(rule, action)``: a Counter of ``(rule, action, "added" or
    "removed")``. ``old`` and ``new`` hold each claim's findings (lists of finding dicts), claim
    for claim."""
    counts: Counter = Counter()
    for before, after in zip(old, new):
        was = Counter(_finding_key(f) for f in before or ())
        now = Counter(_finding_key(f) for f in after or ())
        if was == now:
            continue
        for key, n in (now - was).items():
            counts[(key[0], key[1], "added")] += n
        for key, n in (was - now).items():
            counts[(key[0], key[1], "removed")] += n
    return counts


def diff(
    df: Any,
    old: Union[Sequence[StrPath], PackSet],
    new: Union[Sequence[StrPath], PackSet],
    *,
    ship: bool = False,
) -> Any:
    """What judging the claims of ``df`` under ``new`` changes from judging them under
    ``old``: a DataFrame of ``rule``, ``action``, ``added`` (findings ``new`` gives that ``old``
    did not) and ``removed`` (findings ``old`` gave that ``new`` does not), one row per rule
    and action with a change, ordered by rule and action.

    ``old`` and ``new`` are pack folders layered over the standard pack, or :class:`PackSet`\\ s
    (tables, no standard pack). Each claim is judged under both in the same task, and its
    findings compared as multisets: a finding is the same when its rule, action, lines,
    ``code``, ``suggested_code`` and ``change`` are (its message, policy position and pack
    version may differ). The rows of ``df`` are claims, as for :func:`check`.
    """
    from pyspark.sql import functions as F
    import pyarrow as pa

    spark = df.sparkSession
    before = _prepare(spark, _pack_set(old, None, True), ship)
    after = _prepare(spark, _pack_set(new, None, True), ship)
    columns = pa.schema([(name, pa.string()) for name in DIFF_COLUMNS[:2]] + [(name, pa.int64()) for name in DIFF_COLUMNS[2:]])

    def compare(batches: Iterable[Any]) -> Iterator[Any]:
        old_engine, new_engine = before.engine(), after.engine()
        counts: Counter = Counter()
        for batch in batches:
            was = old_engine.check_arrow(batch, threads=1).column("findings").to_pylist()
            now = new_engine.check_arrow(batch, threads=1).column("findings").to_pylist()
            counts.update(changed_findings(was, now))
        rows: Dict[Tuple[str, str], Dict[str, Any]] = {}
        for (rule, action, which), n in counts.items():
            row = rows.setdefault((rule, action), {"rule": rule, "action": action, "added": 0, "removed": 0})
            row[which] += n
        yield pa.RecordBatch.from_pylist(list(rows.values()), schema=columns)

    partial = df.mapInArrow(compare, "rule string, action string, added long, removed long")
    return (
        partial.groupBy("rule", "action")
        .agg(F.sum("added").alias("added"), F.sum("removed").alias("removed"))
        .orderBy("rule", "action")
    )
