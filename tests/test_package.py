"""tools/package.py: what it strips, how it measures, and the release archive it writes."""

from __future__ import annotations

import importlib.util
import os
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("package", ROOT / "tools" / "package.py")
package = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(package)

ELF = b"\x7fELF" + bytes(60)


def _fake_bundle(tmp_path: Path) -> Path:
    dist = tmp_path / "dist" / "digitlab"
    internal = dist / "_internal"
    for rel in (
        "tensorflow/libtensorflow_cc.so.2",
        "tensorflow/python/_pywrap_tfe.so",
        "numpy.libs/libscipy_openblas64_.so",
        "libpython3.11.so.1.0",
        "python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
    ):
        path = internal / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ELF)
    (internal / "tensorflow" / "THIRD_PARTY_NOTICES.txt").write_text("not a library")
    (dist / "digitlab").write_bytes(ELF)
    return dist


def test_every_library_but_numpys_openblas_is_stripped_once(tmp_path):
    internal = _fake_bundle(tmp_path) / "_internal"
    groups = package.strippable(internal)
    names = [p.name for paths in groups.values() for p in paths]
    assert sorted(names) == sorted(
        {
            "libtensorflow_cc.so.2",
            "_pywrap_tfe.so",
            "libpython3.11.so.1.0",
            "_ssl.cpython-311-x86_64-linux-gnu.so",
            "libQt6Core.so.6",
        }
    )
    assert {p.name for p in groups["packages"]} == {"libQt6Core.so.6"}


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_the_size_counts_files_once_and_the_archive_keeps_links(tmp_path, monkeypatch):
    dist = _fake_bundle(tmp_path)
    internal = dist / "_internal"
    os.symlink("PySide6/Qt/lib/libQt6Core.so.6", internal / "libQt6Core.so.6")
    assert package.folder_bytes(dist) == 7 * len(ELF) + len("not a library")
    archive = package.write_archive(dist)
    assert archive.name == f"digitlab-{package.version()}-{package.platform_tag()}.tar.gz"
    with tarfile.open(archive) as tar:
        link = tar.getmember("digitlab/_internal/libQt6Core.so.6")
        assert link.issym() and link.linkname == "PySide6/Qt/lib/libQt6Core.so.6"
        assert "digitlab/digitlab" in tar.getnames()
    assert not list(archive.parent.glob("*.tmp"))


def test_the_platform_tag_names_system_and_machine():
    system, machine = package.platform_tag().split("-", 1)
    assert system in {"linux", "macos", "windows"} or system == sys.platform
    assert machine


def test_the_build_spec_uses_no_absolute_paths_and_builds_one_windowed_folder():
    spec = (ROOT / "build.spec").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in spec.splitlines())
    for absolute in ("/home/", "/root/", "/work/", "/usr/", "C:\\\\", "/Users/"):
        assert absolute not in code
    assert "SPECPATH" in code and "console=False" in code
    assert "exclude_binaries=True" in code and "COLLECT(" in code  # onedir, not onefile
    assert "BUNDLE(" in code  # the macOS .app


@pytest.mark.slow
def test_tensorflow_imports_with_the_executables_stand_ins_and_tf_lite_fails_loudly():
    # The executable leaves these TensorFlow libraries out; tools/rthook_tf_left_out.py runs
    # first there. A fresh interpreter, so that TensorFlow is imported after the hook.
    code = (
        "import runpy, sys\n"
        f"runpy.run_path({str(ROOT / 'tools' / 'rthook_tf_left_out.py')!r})\n"
        "import tensorflow as tf\n"
        "plugin = sys.modules['tensorflow.python.profiler.internal._pywrap_profiler_plugin']\n"
        "assert type(plugin).__name__ == '_LeftOut'\n"
        "try:\n"
        "    tf.lite.Interpreter(model_content=b'not a model')\n"
        "except RuntimeError as error:\n"
        "    print('refused:', error)\n"
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused:" in done.stdout and "not part of the Digit Lab executable" in done.stdout
