"""After PyInstaller: strip the bundle's shared libraries, write the release archive and
report the sizes (``make dist`` runs it).

    python tools/package.py [--dist dist/digitlab] [--max-dist-mb 900] [--max-archive-mib 330]

* Strips local symbols and debug information (``strip --strip-unneeded``) from every shared
  library and extension module in the bundle, on Linux, when binutils' ``strip`` is present:
  TensorFlow's own, CPython's own (``libpython``, ``lib-dynload``) and the other packages'
  (Pillow, h5py, NumPy's extension modules, Qt's ICU, ...), except ``numpy.libs``: stripping
  NumPy's OpenBLAS breaks it ("ELF load command address/offset not page-aligned").
  Stripping a stripped file changes nothing.
* Writes ``dist/digitlab-<version>-<platform>.tar.gz`` (a ``.zip`` on Windows) holding the
  ``digitlab/`` folder, symbolic links kept as links.
* Prints the sizes (MiB = 2^20 bytes, as ``du -sm``; MB = 10^6 bytes), writes them with the
  exclusions measured by ``build.spec`` to ``build/size-report.json``, and exits 1 when a limit
  is exceeded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
MIB = 1 << 20
# Top-level folders of the bundle whose libraries are never stripped: NumPy's OpenBLAS
# ("ELF load command address/offset not page-aligned" once stripped).
NEVER_STRIPPED = {"numpy.libs"}
STRIPPED_GROUPS = {
    "tensorflow": "TensorFlow's own shared libraries",
    "python": "CPython's own shared libraries",
    "packages": "other packages' extension modules and libraries",
}


def folder_bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links are not followed or counted)."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"\x7fELF"


def strippable(internal: Path) -> dict[str, list[Path]]:
    """The libraries we strip, by group: TensorFlow's own; CPython's own (libpython and
    lib-dynload; a Python built from source, e.g. by pyenv, keeps its debug information);
    and the other packages' extension modules and libraries, less ``NEVER_STRIPPED``."""
    tensorflow = sorted((internal / "tensorflow").rglob("*.so*"))
    python = sorted(internal.glob("libpython3*.so*")) + sorted(
        internal.glob("python3*/lib-dynload/*.so")
    )
    taken = set(tensorflow) | set(python)
    others = [
        p
        for p in sorted(internal.rglob("*.so*"))
        if p not in taken and p.relative_to(internal).parts[0] not in NEVER_STRIPPED
    ]
    groups = {"tensorflow": tensorflow, "python": python, "packages": others}
    return {
        name: [p for p in paths if not p.is_symlink() and p.is_file() and _is_elf(p)]
        for name, paths in groups.items()
    }


def strip_libraries(paths: list[Path]) -> dict[str, int]:
    """Strip ``paths`` in place; returns bytes before and after."""
    strip = shutil.which("strip")
    before = after = 0
    if not sys.platform.startswith("linux") or strip is None:
        return {"before": 0, "after": 0, "files": 0, "skipped": 1}
    files = 0
    for path in paths:
        size = path.stat().st_size
        subprocess.run([strip, "--strip-unneeded", str(path)], check=True)
        before += size
        after += path.stat().st_size
        files += 1
    return {"before": before, "after": after, "files": files, "skipped": 0}


def platform_tag() -> str:
    """``linux-x86_64``, ``windows-amd64``, ``macos-arm64``, ..."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    system = "linux" if system.startswith("linux") else system
    return f"{system}-{platform.machine().lower()}"


def version() -> str:
    """``digitlab.model.__version__``, the one source of truth (pyproject.toml reads it too),
    read from the file so that this script imports nothing of the package."""
    text = (ROOT / "model" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE).group(1)


def write_archive(dist: Path) -> Path:
    """The release archive of ``dist`` (a folder named ``digitlab``), written atomically."""
    stem = f"digitlab-{version()}-{platform_tag()}"
    if sys.platform == "win32":
        target = dist.parent / f"{stem}.zip"
        tmp = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(dist.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(dist.name) / path.relative_to(dist))
    else:
        target = dist.parent / f"{stem}.tar.gz"
        tmp = target.with_name(target.name + ".tmp")
        with tarfile.open(tmp, "w:gz", compresslevel=9) as archive:
            archive.add(dist, arcname=dist.name)  # links stay links
    os.replace(tmp, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist" / "digitlab"))
    # The folder's target, "900 MB", is held in decimal MB (10^6 bytes), the stricter reading
    # (900 MiB would allow 943.7 MB); the archive's in MiB, the unit `ls -lh` prints.
    parser.add_argument("--max-dist-mb", type=float, default=900.0)
    parser.add_argument("--max-archive-mib", type=float, default=330.0)
    args = parser.parse_args(argv)
    dist = Path(args.dist)
    internal = dist / "_internal"
    if not internal.is_dir():
        internal = dist  # PyInstaller < 6 layout, or a macOS .app's Frameworks folder
    stripped = {name: strip_libraries(paths) for name, paths in strippable(internal).items()}
    dist_bytes = folder_bytes(dist)
    archive = write_archive(dist)
    archive_bytes = archive.stat().st_size
    measured = ROOT / "build" / "exclusions.json"
    exclusions = json.loads(measured.read_text()) if measured.exists() else {}
    report = {
        "dist": str(dist),
        "dist_bytes": dist_bytes,
        "archive": str(archive),
        "archive_bytes": archive_bytes,
        "stripped": stripped,
        "excluded_files": exclusions,
    }
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "size-report.json").write_text(json.dumps(report, indent=1) + "\n")
    for rule, saved in exclusions.items():
        print(f"excluded {saved['bytes'] / MB:8.1f} MB  {saved['files']:4d} files  {rule}")
    for name, done in stripped.items():
        if not done["skipped"]:
            print(
                f"stripped {(done['before'] - done['after']) / MB:8.1f} MB  "
                f"{done['files']:4d} files  {STRIPPED_GROUPS[name]}"
            )
    print(f"{dist}: {dist_bytes / MIB:.1f} MiB ({dist_bytes / MB:.1f} MB)")
    print(f"{archive}: {archive_bytes / MIB:.1f} MiB ({archive_bytes / MB:.1f} MB)")
    over = []
    if dist_bytes > args.max_dist_mb * MB:
        over.append(f"the folder is {dist_bytes / MB:.1f} MB, over {args.max_dist_mb:g} MB")
    if archive_bytes > args.max_archive_mib * MIB:
        over.append(
            f"the archive is {archive_bytes / MIB:.1f} MiB, over {args.max_archive_mib:g} MiB"
        )
    for line in over:
        print(f"package: {line}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
