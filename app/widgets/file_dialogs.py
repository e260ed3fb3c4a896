"""File dialogs that open in the folder last used for the same kind of file.

Each function wraps one ``QFileDialog.get*`` call: it starts the dialog in the folder
remembered for ``kind`` (:data:`MODELS`, :data:`SAMPLES` or :data:`PICTURES`) and, when the
user picks something, remembers its folder in ``recent_folders.json`` in the per-user data
folder, so the next dialog of that kind, in this run or a later one, opens there too. A
remembered folder that is gone is forgotten quietly; the settings are a convenience, so
errors writing them are ignored.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from digitlab.app import storage
from digitlab.model.nets.model_files import write_json_atomic

SETTINGS_FILE = "recent_folders.json"
MODELS = "models"
"""Saved and loaded ``.keras`` models."""
SAMPLES = "samples"
"""Handwriting samples imported and exported (``.jsonl``)."""
PICTURES = "pictures"
"""Data sets: picture folders, ``.npz`` archives, files rendered as pictures."""
KINDS = (MODELS, SAMPLES, PICTURES)


def _default(kind: str) -> Path:
    return storage.user_models_dir() if kind == MODELS else Path.home()


def last_folder(kind: str) -> Path:
    """The folder the last dialog of ``kind`` was used in (an existing folder), or where a
    first one starts: the models folder for models, the home folder otherwise."""
    folder = storage.read_settings_file(SETTINGS_FILE).get(kind)
    if isinstance(folder, str) and folder and Path(folder).is_dir():
        return Path(folder)
    return _default(kind)


def remember(kind: str, folder: str | Path) -> None:
    """Start the next dialog of ``kind`` in ``folder`` (kept for later runs too)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file: {kind!r}")
    settings = storage.read_settings_file(SETTINGS_FILE)
    settings[kind] = str(Path(folder).absolute())
    try:
        write_json_atomic(storage.app_data_dir() / SETTINGS_FILE, settings)
    except OSError:
        pass


def open_file_name(parent: QWidget | None, caption: str, kind: str, filters: str = "") -> str:
    """A file to open, or "" when cancelled (``QFileDialog.getOpenFileName``)."""
    path, _ = QFileDialog.getOpenFileName(parent, caption, str(last_folder(kind)), filters)
    if path:
        remember(kind, Path(path).parent)
    return path


def open_file_names(
    parent: QWidget | None, caption: str, kind: str, filters: str = ""
) -> list[str]:
    """Files to open, or [] when cancelled (``QFileDialog.getOpenFileNames``)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, caption, str(last_folder(kind)), filters)
    if paths:
        remember(kind, Path(paths[0]).parent)
    return list(paths)


def save_file_name(
    parent: QWidget | None, caption: str, kind: str, file_name: str, filters: str = ""
) -> str:
    """Where to save, suggesting ``file_name`` in the remembered folder; "" when cancelled
    (``QFileDialog.getSaveFileName``)."""
    start = last_folder(kind) / file_name
    path, _ = QFileDialog.getSaveFileName(parent, caption, str(start), filters)
    if path:
        remember(kind, Path(path).parent)
    return path


def existing_directory(parent: QWidget | None, caption: str, kind: str) -> str:
    """A folder, or "" when cancelled (``QFileDialog.getExistingDirectory``). The folder the
    chosen one is in is remembered, so the next dialog shows it among its neighbours (and a
    folder for output, asked for next, starts beside the one just chosen)."""
    path = QFileDialog.getExistingDirectory(parent, caption, str(last_folder(kind)))
    if path:
        remember(kind, Path(path).parent)
    return path
