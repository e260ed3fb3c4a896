"""Where the bundled files live, from a source checkout and from a PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The ``resources/`` folder: beside ``model/`` in a checkout, in ``_MEIPASS`` when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """A path inside ``resources/``, e.g. ``resource_path("models", "cnn.keras")``."""
    return resource_dir().joinpath(*parts)


MNIST_PATH = resource_path("mnist.npz")
MODELS_DIR = resource_path("models")
METRICS_PATH = MODELS_DIR / "metrics.json"
PEN_DEV_PATH = MODELS_DIR / "pen_dev.json"
"""Error counts of the bundled models on the pen-drawn dev set (counts only, no digits)."""


def bundled_model_path(name: str) -> Path:
    """The shipped ``.keras`` file of ``"cnn"`` or ``"dense"``."""
    return MODELS_DIR / f"{name}.keras"
