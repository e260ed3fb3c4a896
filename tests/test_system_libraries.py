"""Starting on a bare Linux desktop: when Qt's window platform cannot load, ``digitlab`` says
which system libraries are missing and how to install them, in one line, instead of Qt's
abort. The parsing and the message are tested on made-up ``ldd`` output, no Qt involved."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digitlab.app.cli import main as cli
from digitlab.app.cli import system_libraries as syslibs

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007fccc1ed5000)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x7f93)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f9383919000)
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibfoo-unheard-of.so.3 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007fccc1ed7000)
"""


def test_ldd_output_gives_each_missing_library_once_in_order():
    assert syslibs.missing_from_ldd(LDD_OUTPUT) == [
        "libxcb-icccm.so.4",
        "libxkbcommon-x11.so.0",
        "libxcb-keysyms.so.1",
        "libfoo-unheard-of.so.3",
    ]
    assert syslibs.missing_from_ldd("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_the_loaders_error_names_the_first_missing_library():
    message = "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
    assert syslibs.missing_from_dlopen_error(message) == ["libxcb-icccm.so.4"]
    assert syslibs.missing_from_dlopen_error("undefined symbol: qt_version_tag") == []


def test_the_message_is_one_line_with_the_debian_and_fedora_commands():
    text = syslibs.install_message(["xcb"], syslibs.missing_from_ldd(LDD_OUTPUT))
    assert "\n" not in text
    assert "libxcb-icccm.so.4, libxkbcommon-x11.so.0, libxcb-keysyms.so.1" in text
    assert "apt-get install libxcb-icccm4 libxkbcommon-x11-0 libxcb-keysyms1 " in text
    assert "dnf install xcb-util-wm libxkbcommon-x11 xcb-util-keysyms " in text
    assert "libfoo-unheard-of.so.3" in text.split("(Fedora)")[1]  # named as it is
    assert "xcb platform plugin" in text


def test_the_table_covers_the_usual_xcb_set():
    table = syslibs.PACKAGES
    assert table["libxcb-cursor.so.0"] == ("libxcb-cursor0", "xcb-util-cursor")
    assert table["libxcb-render-util.so.0"] == ("libxcb-render-util0", "xcb-util-renderutil")
    assert table["libEGL.so.1"] == ("libegl1", "mesa-libEGL")
    assert table["libdbus-1.so.3"] == ("libdbus-1-3", "dbus-libs")
    for soname in (
        "libxcb-image.so.0",
        "libxcb-xinerama.so.0",
        "libxcb-randr.so.0",
        "libxcb-shape.so.0",
        "libxcb-xfixes.so.0",
        "libxcb-xkb.so.1",
        "libGL.so.1",
        "libfontconfig.so.1",
    ):
        assert soname in table


def test_the_platforms_tried_are_qts_own_choice():
    assert syslibs.platform_names({}) == ["xcb"]
    assert syslibs.platform_names({"DISPLAY": ":0"}) == ["xcb"]
    assert syslibs.platform_names({"WAYLAND_DISPLAY": "wayland-0"}) == ["wayland", "xcb"]
    assert syslibs.platform_names({"XDG_SESSION_TYPE": "wayland"}) == ["wayland", "xcb"]
    assert syslibs.platform_names({"QT_QPA_PLATFORM": "wayland;xcb:nograb"}) == ["wayland", "xcb"]
    assert syslibs.platform_names({"QT_QPA_PLATFORM": "offscreen", "WAYLAND_DISPLAY": "w"}) == [
        "offscreen"
    ]


def test_a_frozen_build_looks_in_its_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    folders = syslibs.plugin_folders({"QT_QPA_PLATFORM_PLUGIN_PATH": "/custom"})
    assert folders == [Path("/custom"), tmp_path / "PySide6" / "Qt" / "plugins" / "platforms"]


def _fake_plugins(tmp_path, *names):
    for name in names:
        (tmp_path / f"libq{name}.so").write_bytes(b"")
    return {"QT_QPA_PLATFORM_PLUGIN_PATH": str(tmp_path)}


def test_no_message_offscreen_or_when_one_platform_loads(monkeypatch, tmp_path):
    env = _fake_plugins(tmp_path, "xcb", "wayland")
    lacking = {"libqxcb.so": ["libxcb-icccm.so.4"], "libqwayland.so": []}
    monkeypatch.setattr(syslibs, "missing_libraries", lambda plugin: lacking[plugin.name])
    monkeypatch.setattr(sys, "platform", "linux")
    assert syslibs.window_platform_problem({**env, "QT_QPA_PLATFORM": "offscreen"}) is None
    assert syslibs.window_platform_problem({**env, "QT_QPA_PLATFORM": "minimal"}) is None
    assert syslibs.window_platform_problem({**env, "WAYLAND_DISPLAY": "w"}) is None
    problem = syslibs.window_platform_problem(env)
    assert problem is not None and "libxcb-icccm.so.4" in problem and "libxcb-icccm4" in problem
    monkeypatch.setattr(sys, "platform", "win32")
    assert syslibs.window_platform_problem(env) is None


def test_the_window_command_prints_one_line_and_exits_1_before_qt_starts(monkeypatch, capsys):
    import digitlab.app.cli.gui as gui

    seen = []
    monkeypatch.setattr(
        syslibs,
        "window_platform_problem",
        lambda environ: seen.append(environ.get("QT_QPA_PLATFORM")) or "no libs",
    )
    monkeypatch.setattr(gui, "run_gui", lambda **kw: pytest.fail("the window started"))
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert cli.main([]) == 1
    assert capsys.readouterr().err == "no libs\n"
    assert seen == [None]


def test_the_selftest_and_screenshots_are_checked_as_offscreen(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(
        syslibs,
        "window_platform_problem",
        lambda environ: seen.append(environ.get("QT_QPA_PLATFORM")) or "stop",
    )
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert cli.main(["selftest"]) == 1 and cli.main(["screenshots", "x"]) == 1
    assert seen == ["offscreen", "offscreen"]
    assert os.environ["QT_QPA_PLATFORM"] == "xcb"


def _xcb_plugin() -> Path:
    return syslibs.plugin_folders({})[0] / "libqxcb.so"


def test_a_real_plugin_that_loads_lacks_nothing():
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    assert syslibs.missing_libraries(_xcb_plugin().with_name("libqoffscreen.so")) == []


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="reads ldd on Linux"
)
def test_on_this_machine_a_missing_xcb_library_is_named_instead_of_an_abort(tmp_path):
    listed = subprocess.run(["ldd", str(_xcb_plugin())], capture_output=True, text=True).stdout
    missing = syslibs.missing_from_ldd(listed)
    if not missing:
        pytest.skip("this machine has every library of the xcb plugin")
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["QT_QPA_PLATFORM"] = "xcb"
    proc = subprocess.run(
        [sys.executable, "-m", "digitlab.app"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and all(name in lines[0] for name in missing)
    assert "apt-get install" in lines[0] and "dnf install" in lines[0]
