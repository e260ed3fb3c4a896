"""Where the bundled files live: the ``digitlab.resources`` package, found the same way from a
checkout (editable install), an installed wheel and a PyInstaller bundle."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_dir() -> Path:
    """The folder of the ``digitlab.resources`` package (``resources/`` in a checkout).

    Raises ``RuntimeError`` when the package is not a folder on disk (a zipped install): the
    models are opened by path, so Digit Lab does not run from a zip.
    """
    root = files("digitlab.resources")
    if isinstance(root, Path):
        return root
    # PyInstaller's frozen importer answers with a MultiplexedPath of the one folder the
    # bundle unpacked the package's files to: the package's own location names it.
    import digitlab.resources as package

    folder = Path(package.__file__).parent
    if not folder.is_dir():
        raise RuntimeError(f"Digit Lab's bundled files must be a folder on disk, not {root!r}")
    return folder


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
