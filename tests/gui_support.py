"""Helpers shared by the GUI tests: one InferenceCore per test session (loading costs seconds)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def shared_core():
    """The bundled models, loaded once; hand it to ``LiveModels(core_factory=...)``.

    Only one inference thread uses it at a time (each test stops its window's thread).
    """
    from model.inference import InferenceCore

    return InferenceCore()
