"""Payer and medical-coding policies, judged over claims.

:class:`Engine` loads policy packs once (the embedded standard pack, and payer packs layered
over it), then judges claims: one at a time (:meth:`Engine.check`), in batches on every core
with the GIL released (:meth:`Engine.check_many`), or as Arrow data (:meth:`Engine.check_arrow`).
Each result is the ``dict`` of the JSON ``claimrules check`` writes for the claim
(docs/formats.md). :meth:`Engine.test` and :meth:`Engine.lint` run the policy tests and the
checker as ``claimrules test`` and ``claimrules lint`` do. Packs that do not load raise
:class:`PolicyError` with every diagnostic in its message. :mod:`claimrules.spark` judges the
claims of Spark DataFrames, and replays them under two pack sets.
"""

from ._native import FORMAT_VERSION, Engine, PolicyError, __version__

__all__ = ["Engine", "PolicyError", "FORMAT_VERSION", "__version__"]
