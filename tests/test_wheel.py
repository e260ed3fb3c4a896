"""The wheel works on its own: built from the checkout without network, installed
non-editable into a folder, and run from elsewhere, it holds only ``digitlab/`` with the
models, MNIST and the icons, classifies a picture, evaluates, and opens the window.

About 40 s here (build 4 s, classify 5 s, evaluate 8 s, the self-test 25 s).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "app", "model", "resources")
LICENSE_EXPRESSION_SETUPTOOLS = 77
"""The first setuptools that reads ``license = "MIT"`` (PEP 639), as pyproject.toml asks."""


def _copy_sources(dst: Path) -> Path:
    """What the build reads, copied (the build leaves ``build/`` and ``*.egg-info`` behind).

    With an older setuptools in the environment (no build isolation: that would download a
    newer one), the copy's licence is written as a table, which it reads; nothing else of
    the project changes."""
    dst.mkdir()
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dst / name)
    major = int(metadata.version("setuptools").split(".")[0])
    if major < LICENSE_EXPRESSION_SETUPTOOLS:
        project = dst / "pyproject.toml"
        text = project.read_text("utf-8")
        text = text.replace('requires = ["setuptools>=77"]', 'requires = ["setuptools"]')
        project.write_text(text.replace('license = "MIT"', 'license = {text = "MIT"}'), "utf-8")
    return dst


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-index", "-q", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _dependency_folders() -> list[str]:
    """The folders the dependencies are imported from (``-S`` skips the .pth files that add
    them, and the editable install's finder with them)."""
    import keras
    import PIL
    import pyqtgraph
    import PySide6
    import tensorflow

    folders = [
        str(Path(m.__file__).resolve().parents[1])
        for m in (np, keras, PIL, pyqtgraph, PySide6, tensorflow)
    ]
    return list(dict.fromkeys(folders))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel file, the folder it is installed into)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_sources(tmp / "src")
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src), cwd=tmp)
    (wheel,) = (tmp / "dist").glob("digitlab-*.whl")
    target = tmp / "target"
    _pip("install", "--no-deps", "--target", str(target), str(wheel), cwd=tmp)
    return wheel, target


def _run_installed(target: Path, cwd: Path, *args: str, timeout: int = 300):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(target), *_dependency_folders()]),
        QT_QPA_PLATFORM="offscreen",
    )
    return subprocess.run(
        [sys.executable, "-S", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


@pytest.mark.slow
def test_the_wheel_holds_only_digitlab_with_its_models_mnist_and_icons(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"digitlab"}
    for bundled in (
        "digitlab/resources/mnist.npz",
        "digitlab/resources/models/cnn.keras",
        "digitlab/resources/models/dense.keras",
        "digitlab/resources/models/metrics.json",
        "digitlab/resources/models/levels.json",
        "digitlab/resources/icons/digitlab.png",
        "digitlab/app/selftest/check_draw.py",
    ):
        assert bundled in names


@pytest.mark.slow
def test_the_installed_wheel_classifies_evaluates_and_opens_the_window(installed, tmp_path):
    _, target = installed
    where = _run_installed(
        target,
        tmp_path,
        "-c",
        "import json, digitlab, digitlab.app.cli.main as m; "
        "print(json.dumps([list(digitlab.__path__), m.__file__]))",
    )
    assert where.returncode == 0, where.stderr
    paths, cli_file = json.loads(where.stdout)
    assert paths == [str(target / "digitlab")] and Path(cli_file).is_relative_to(target)

    with np.load(ROOT / "resources" / "mnist.npz", allow_pickle=False) as mnist:
        image, label = mnist["x_test"][0], int(mnist["y_test"][0])
    Image.fromarray(255 - image).save(tmp_path / "digit.png")  # dark ink on white paper
    classified = _run_installed(target, tmp_path, "-m", "digitlab.app", "classify", "digit.png")
    assert classified.returncode == 0, classified.stderr
    answer = json.loads(classified.stdout.strip().splitlines()[-1])
    assert answer["cnn"]["label"] == label and answer["dense"]["label"] == label

    evaluated = _run_installed(target, tmp_path, "-m", "digitlab.app", "evaluate", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert report["data"] == "MNIST test (10,000)"
    assert all(m["accuracy"] > 0.97 for m in report["models"].values())

    # The self-test opens the real window and checks both models read drawn digits; it also
    # imports every check module from the installed copy (one missing fails it).
    selftest = _run_installed(target, tmp_path, "-m", "digitlab.app", "selftest", timeout=600)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    checks = json.loads(selftest.stdout.strip().splitlines()[-1])["checks"]
    assert checks["draw_predict"] == "pass"
    assert not [name for name in checks if name.startswith("check_")]  # none failed to import
