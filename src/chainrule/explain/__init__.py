"""Showing derivations: step renderers (text, LaTeX, MathML, HTML, JSON) and graph views.

The step records themselves are built by :mod:`chainrule.symbolic` (see
:mod:`chainrule.symbolic.steps`); what each kind of step says is decided here, once per step
class (:mod:`.statements`), and spelled per format (:mod:`.formats`). The JSON form
(:func:`.render.to_dict`) follows the published JSON Schema at :data:`STEPS_SCHEMA_PATH`.

>>> import json
>>> schema = json.loads(STEPS_SCHEMA_PATH.read_text(encoding="utf-8"))
>>> schema["title"], "ChainRule" in schema["$defs"]["node"]["properties"]["kind"]["enum"]
('chainrule step-by-step derivation', True)
"""

from __future__ import annotations

from pathlib import Path

STEPS_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "steps.json"
"""The JSON Schema (draft 2020-12) of :meth:`Derivation.to_dict`, which is also the ``steps``
key of ``chainrule diff --steps --format json``."""

__all__ = ["STEPS_SCHEMA_PATH"]
