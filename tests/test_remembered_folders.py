"""File dialogs open where the user last was for that kind of file (models, handwriting
samples, data sets), in this run and the next one (a new run is modelled by new widgets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from digitlab.app import storage
from digitlab.app.handwriting.sample_toolbar import SampleToolbar
from digitlab.app.training.custom_data_panel import CustomDataPanel
from digitlab.app.training.model_list import ModelEntry, ModelList
from digitlab.model.data.bundled import bundled_model_path


class Dialogs:
    """Stands in for QFileDialog's static functions: records where each dialog started and
    answers with the next of :attr:`answers`."""

    def __init__(self, monkeypatch):
        self.starts: list[Path] = []
        self.answers: list = []
        for name, pair in (
            ("getOpenFileName", True),
            ("getOpenFileNames", True),
            ("getSaveFileName", True),
            ("getExistingDirectory", False),
        ):
            monkeypatch.setattr(QFileDialog, name, self._fake(pair))

    def _fake(self, pair: bool):
        def dialog(parent, caption, start, *rest):
            self.starts.append(Path(start))
            answer = self.answers.pop(0)
            return (answer, "") if pair else answer

        return dialog

    def answer(self, *answers) -> None:
        self.answers.extend(a if isinstance(a, list) else str(a) for a in answers)


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    monkeypatch.setenv(storage.DATA_DIR_ENV, str(tmp_path / "data"))  # no folder remembered
    return Dialogs(monkeypatch)


def _folders(root: Path, *names: str) -> list[Path]:
    for name in names:
        (root / name).mkdir(parents=True)
    return [root / name for name in names]


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_sample_import_and_export_start_in_the_folder_last_used(qtbot, dialogs, tmp_path):
    a, b = _folders(tmp_path, "a", "b")
    bar = SampleToolbar()
    qtbot.addWidget(bar)
    bar.set_state(selected=False, any_samples=True)
    dialogs.answer(a / "mine.jsonl", a / "again.jsonl", b / "out.jsonl")
    with qtbot.waitSignal(bar.import_chosen) as chosen:
        _click(qtbot, bar.import_button)
    assert chosen.args == [str(a / "mine.jsonl")] and dialogs.starts[0] == Path.home()
    _click(qtbot, bar.import_button)
    assert dialogs.starts[1] == a
    with qtbot.waitSignal(bar.export_chosen):
        _click(qtbot, bar.export_button)
    # Export suggests a file name in that folder too.
    assert dialogs.starts[2].parent == a and dialogs.starts[2].name.startswith("my-handwriting")

    again = SampleToolbar()  # the next run
    qtbot.addWidget(again)
    dialogs.answer("")  # cancelled: nothing changes
    _click(qtbot, again.import_button)
    assert dialogs.starts[3] == b
    dialogs.answer("")
    _click(qtbot, again.import_button)
    assert dialogs.starts[4] == b


def test_a_remembered_folder_that_is_gone_is_not_offered(qtbot, dialogs, tmp_path):
    (a,) = _folders(tmp_path, "a")
    bar = SampleToolbar()
    qtbot.addWidget(bar)
    dialogs.answer(a / "mine.jsonl", "")
    _click(qtbot, bar.import_button)
    a.rmdir()
    _click(qtbot, bar.import_button)
    assert dialogs.starts == [Path.home(), Path.home()]


def test_model_save_and_load_start_in_the_folder_last_used_for_models(
    qtbot, dialogs, tmp_path, monkeypatch
):
    (m,) = _folders(tmp_path, "m")
    models = ModelList()
    qtbot.addWidget(models)
    loaded, saved = [], []
    monkeypatch.setattr(models, "load_from", loaded.append)
    monkeypatch.setattr(models, "save_current", saved.append)
    dialogs.answer(m / "one.keras")
    _click(qtbot, models.load_button)
    assert dialogs.starts == [storage.user_models_dir()] and loaded == [str(m / "one.keras")]
    models.add(ModelEntry("Loaded one.keras", "cnn", path=bundled_model_path("cnn")), "file")
    dialogs.answer(m / "two.keras")
    _click(qtbot, models.save_button)
    assert dialogs.starts[1].parent == m and dialogs.starts[1].suffix == ".keras"
    assert saved == [str(m / "two.keras")]

    again = ModelList()  # the next run
    qtbot.addWidget(again)
    monkeypatch.setattr(again, "load_from", loaded.append)
    dialogs.answer("")
    _click(qtbot, again.load_button)
    assert dialogs.starts[2] == m
    # Each kind of file has its own folder: the samples' dialog has not moved.
    bar = SampleToolbar()
    qtbot.addWidget(bar)
    dialogs.answer("")
    _click(qtbot, bar.import_button)
    assert dialogs.starts[3] == Path.home()


def test_data_set_dialogs_start_in_the_folder_last_used_for_pictures(
    qtbot, dialogs, tmp_path, monkeypatch
):
    sets, other, binaries, files = _folders(tmp_path, "sets", "other", "bin", "files")
    panel = CustomDataPanel()
    qtbot.addWidget(panel)
    loads, renders = [], []
    monkeypatch.setattr(panel, "load", loads.append)
    monkeypatch.setattr(panel, "render_folder", lambda *a: renders.append(a))
    monkeypatch.setattr(panel, "render_binaries", lambda *a, **k: renders.append(a))

    dialogs.answer(sets / "digits")
    _click(qtbot, panel.folder_button)
    assert dialogs.starts == [Path.home()] and loads == [str(sets / "digits")]
    dialogs.answer(other / "mnist.npz")
    _click(qtbot, panel.npz_button)
    assert dialogs.starts[1] == sets  # beside the folder chosen last
    # Binaries: the output folder is asked for beside the source just chosen.
    dialogs.answer(binaries / "families", binaries / "pictures")
    panel.binaries_folder_action.trigger()
    assert dialogs.starts[2:] == [other, binaries]
    dialogs.answer([str(files / "a.exe"), str(files / "b.exe")], files / "class_a")
    panel.binaries_files_action.trigger()
    assert dialogs.starts[4:] == [binaries, files] and len(renders) == 2
    assert panel.shutdown()

    again = CustomDataPanel()  # the next run
    qtbot.addWidget(again)
    dialogs.answer("")
    _click(qtbot, again.folder_button)
    assert dialogs.starts[6] == files and len(loads) == 2
    assert again.shutdown()
