"""Precomputed colour-scale tops of the bundled models' activation maps (a fast start).

Each layer's mosaic has a fixed colour scale whose top is a high percentile of its activations
on 128 MNIST test digits (:func:`digitlab.model.explain.mosaic.calibrate_level`). For the
bundled models those tops never change, so they are computed once and stored in
``resources/models/levels.json``, keyed by the sha256 of the model file: the app starts
without loading MNIST or running the models on it. A model whose file does not match (a user
model, a retrained bundled model) is calibrated as before, when it is loaded.

Qt-free. ``python -m digitlab.model.nets.colour_levels`` rewrites the file after the bundled
models change.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from digitlab.model.data.bundled import MODELS_DIR, bundled_model_path

LEVELS_PATH = MODELS_DIR / "levels.json"
"""``{sha256 of a .keras file: {"model": name, "levels": {layer name: top (float > 0)}}}``."""


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_levels(
    model_file: str | Path, levels_file: str | Path = LEVELS_PATH
) -> dict[str, float] | None:
    """The stored tops for ``model_file`` (layer name -> float > 0), or None when the file's
    sha256 is not in ``levels_file`` (or either file cannot be read)."""
    try:
        table = json.loads(Path(levels_file).read_text(encoding="utf-8"))
        entry = table.get(file_sha256(model_file))
        if not isinstance(entry, dict):
            return None
        levels = {str(k): float(v) for k, v in entry["levels"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(v > 0 for v in levels.values()):
        return None
    return levels


def levels_of(model) -> dict[str, float] | None:
    """The stored tops of a model given as a file (e.g. the bundled ones brought back by
    "Restore bundled models"), so it is not calibrated again; None for anything else (a Keras
    model in memory, a file whose sha256 is not stored)."""
    if not isinstance(model, (str, os.PathLike)):
        return None
    return stored_levels(model)


def bundled_levels(names) -> dict[str, dict[str, float]] | None:
    """Stored tops for each bundled model in ``names``, or None if any is missing."""
    found = {}
    for name in names:
        levels = stored_levels(bundled_model_path(name))
        if levels is None:
            return None
        found[name] = levels
    return found


def compute_bundled_levels() -> dict[str, dict]:
    """Calibrate the bundled models the slow way and return the table to store."""
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()
    from digitlab.model.nets.describe import DIGIT_MODELS, calibration_batch, describe_model
    from digitlab.model.nets.inference import InferenceCore

    core = InferenceCore()
    calibration = calibration_batch()
    table = {}
    for name in DIGIT_MODELS:
        info = describe_model(core, name, calibration)
        table[file_sha256(bundled_model_path(name))] = {
            "model": name,
            "levels": {v.name: v.level for v in info.layers},
        }
    return table


def main() -> int:
    """Rewrite :data:`LEVELS_PATH` from the bundled models; prints its path."""
    from digitlab.model.nets.model_files import write_json_atomic

    write_json_atomic(LEVELS_PATH, compute_bundled_levels())
    print(LEVELS_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
