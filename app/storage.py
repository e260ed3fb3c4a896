"""Where the training tab keeps user files: models and settings in the per-user data folder.

Bundled model files (``resources/models``) are only ever read; everything the user makes
lives under ``QStandardPaths.AppDataLocation`` (e.g. ``~/.local/share/Digit Lab``), or in
the folder named by the ``DIGITLAB_DATA_DIR`` environment variable when it is set (the
self-test and the screenshots use a fresh temporary one, so they never touch the user's files).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

from digitlab.model import limits
from digitlab.model.nets.model_files import write_json_atomic

SETTINGS_FILE = "training_settings.json"
DATA_DIR_ENV = "DIGITLAB_DATA_DIR"


def app_data_dir() -> Path:
    """The per-user data folder (created on demand)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        path = Path(override)
        path.mkdir(parents=True, exist_ok=True)
        return path
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(location) if location else Path.home() / ".digitlab"
    if not QCoreApplication.applicationName() or QCoreApplication.applicationName() == "python":
        # Without an application name Qt would use the interpreter's name: keep ours.
        path = path.parent / "digitlab" if location else path
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_models_dir() -> Path:
    """``<app data>/models``: the default folder for Save… and Load…, and where the models put
    live are remembered (:mod:`digitlab.model.nets.remembered`)."""
    path = app_data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_settings() -> dict:
    """The saved run set-up, or ``{}`` when there is none or it is unreadable."""
    return read_settings_file(SETTINGS_FILE)


def read_settings_file(name: str) -> dict:
    """The JSON object of a settings file in the per-user data folder, or ``{}`` when there
    is none or it is unreadable: not a regular file, over
    :data:`~digitlab.model.limits.MAX_SETTINGS_BYTES`, not JSON, nested too deep, not an
    object (each caller then checks its fields)."""
    path = app_data_dir() / name
    try:
        if not path.is_file() or path.stat().st_size > limits.MAX_SETTINGS_BYTES:
            return {}
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def save_settings(settings: dict) -> None:
    """Write the run set-up atomically (errors are ignored: settings are a convenience)."""
    try:
        write_json_atomic(app_data_dir() / SETTINGS_FILE, settings)
    except OSError:
        pass


def remove_stale_temporaries() -> None:
    """Remove what a killed earlier session left mid-save in the data folders (see
    :func:`digitlab.model.nets.model_files.remove_stale_temporaries`)."""
    from digitlab.model.nets.model_files import remove_stale_temporaries as remove

    for folder in (app_data_dir(), user_models_dir()):
        remove(folder)
