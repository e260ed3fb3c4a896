"""Before the window opens on Linux: are the system libraries of Qt's window platform plugin
installed? If not, one line that names them and the commands that install them, instead of
Qt's abort ("could not load the Qt platform plugin xcb ... core dumped").

Qt-free: it reads the plugin file's dependencies (``ldd``, or the dynamic loader's error) and
never imports PySide6, so it runs before any Qt library is loaded. The platforms tried are
Qt's own choice (``QGuiApplicationPrivate::createPlatformIntegration`` in Qt 6): the
``QT_QPA_PLATFORM`` list, or Wayland first in a Wayland session, then xcb.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

NO_WINDOW_SYSTEM = frozenset({"offscreen", "minimal"})
"""Platforms that draw into memory: nothing to check (the self-test and the screenshots)."""

PACKAGES: dict[str, tuple[str, str]] = {
    # soname: (Debian/Ubuntu package, Fedora package)
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libEGL.so.1": ("libegl1", "mesa-libEGL"),
    "libGL.so.1": ("libgl1", "mesa-libGL"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
}
"""Which package installs a library the platform plugins need, on Debian/Ubuntu and Fedora."""

_LDD_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
_DLOPEN_MISSING = re.compile(r"(\S+): cannot open shared object file")


def platform_names(environ: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order: ``QT_QPA_PLATFORM`` (``"wayland;xcb"``,
    ``"xcb:option"``, ...), or by default ``wayland`` in a Wayland session, then ``xcb``."""
    spec = environ.get("QT_QPA_PLATFORM", "")
    if spec:
        return [part.split(":")[0].strip() for part in spec.split(";") if part.strip()]
    wayland = "WAYLAND_DISPLAY" in environ or environ.get("XDG_SESSION_TYPE") == "wayland"
    return ["wayland", "xcb"] if wayland else ["xcb"]


def plugin_folders(environ: Mapping[str, str]) -> list[Path]:
    """Where Qt looks for platform plugins, in its order: ``QT_QPA_PLATFORM_PLUGIN_PATH``,
    each ``QT_PLUGIN_PATH`` entry's ``platforms/``, then PySide6's own (in a frozen build,
    the bundle's ``PySide6/Qt/plugins/platforms``)."""
    folders = []
    if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.append(Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    for entry in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry:
            folders.append(Path(entry) / "platforms")
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpacked bundle
    if getattr(sys, "frozen", False) and bundle:
        folders.append(Path(bundle) / "PySide6" / "Qt" / "plugins" / "platforms")
    else:
        spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
        for location in (spec.submodule_search_locations or []) if spec else []:
            folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    return folders


def missing_from_ldd(output: str) -> list[str]:
    """The libraries ``ldd`` reports as ``not found`` (each once, in its order)."""
    return list(dict.fromkeys(_LDD_NOT_FOUND.findall(output)))


def missing_from_dlopen_error(message: str) -> list[str]:
    """The library named by the dynamic loader's error (it names only the first missing one),
    e.g. ``"libxcb-icccm.so.4: cannot open shared object file: ..."``; [] for other errors."""
    match = _DLOPEN_MISSING.search(message)
    return [Path(match.group(1)).name] if match else []


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``plugin`` needs that the system lacks ([] when it loads).

    Loading it first costs nothing when all is well (Qt loads the same files moments later);
    only when that fails is ``ldd`` asked for the full list."""
    try:
        ctypes.CDLL(str(plugin))
        return []
    except OSError as exc:
        first = missing_from_dlopen_error(str(exc))
    ldd = shutil.which("ldd")
    if ldd is None:
        return first
    try:
        proc = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return first
    return missing_from_ldd(proc.stdout) or first


def install_message(platforms: Sequence[str], missing: Sequence[str]) -> str:
    """One line: which libraries are missing and the commands that install them on
    Debian/Ubuntu and on Fedora; libraries with no known package are named as they are."""
    known = [name for name in missing if name in PACKAGES]
    unknown = [name for name in missing if name not in PACKAGES]
    plural = "plugins" if len(platforms) > 1 else "plugin"
    text = (
        f"digitlab: cannot open the window: Qt's {' / '.join(platforms)} platform {plural} "
        f"needs system libraries that are missing: {', '.join(missing)}."
    )
    if known:
        debian = " ".join(dict.fromkeys(PACKAGES[name][0] for name in known))
        fedora = " ".join(dict.fromkeys(PACKAGES[name][1] for name in known))
        text += (
            f" Install them: sudo apt-get install {debian} (Debian/Ubuntu) or "
            f"sudo dnf install {fedora} (Fedora)."
        )
    if unknown:
        text += f" No package is known here for {', '.join(unknown)}: install what provides it."
    return text


def window_platform_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The one-line message when no platform plugin Qt would try can load for lack of system
    libraries; None when one can, on platforms that need no window system, when the plugin
    is not found (Qt then says why itself), and outside Linux."""
    if not sys.platform.startswith("linux"):
        return None
    environ = os.environ if environ is None else environ
    names = platform_names(environ)
    if not names or NO_WINDOW_SYSTEM.intersection(names):
        return None
    folders = plugin_folders(environ)
    missing: dict[str, None] = {}
    for name in names:
        plugin = next(
            (f / f"libq{name}.so" for f in folders if (f / f"libq{name}.so").is_file()), None
        )
        if plugin is None:
            return None
        lacking = missing_libraries(plugin)
        if not lacking:
            return None
        missing.update(dict.fromkeys(lacking))
    return install_message(names, list(missing))
