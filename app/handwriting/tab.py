"""The "My handwriting" tab: the user's saved drawings, how each live model reads them, and
relabel, delete, import and export (asked for in :mod:`.sample_toolbar`).

Thumbnails are the 28x28 inputs stored with each sample. The models' answers come from the
inference thread (:meth:`digitlab.app.live.live_models.LiveModels.classify_batch`), which
re-preprocesses the strokes with the one path, whenever the samples or a live model change;
they are scored and worded by :mod:`digitlab.model.nets.sample_readings`, and this tab only
shows them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.handwriting.sample_toolbar import ALL, MISREAD, SampleToolbar
from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.handwriting.undo_delete import DeleteUndo
from digitlab.app.training.evaluation_view import digit_pixmap, icon_grid
from digitlab.app.widgets.styles import BAD, BAD_STYLE, GOOD_STYLE, HINT, HINT_STYLE
from digitlab.model.data.personal_data import PersonalDataError, model_inputs
from digitlab.model.data.personal_store import bad_lines_text
from digitlab.model.nets.sample_readings import (
    accuracies,
    digit_readings,
    grid_text,
    label_text,
    misreadings,
    reading_tooltip,
)
from digitlab.model.nets.wording import model_title, plural

THUMB = 56
"""Thumbnail side, px (the 28x28 input shown at twice its size)."""
_WRONG = QColor(BAD)
_EMPTY_TEXT = (
    "No samples yet. On the Draw tab, when a model reads your digit wrong, click the "
    "digit you meant under the canvas (“Wrong? It was: …”): the drawing is saved here. "
    "Then fine-tune a model on them from the Train tab."
)
_STYLE = {"ok": GOOD_STYLE, "error": BAD_STYLE, "info": HINT_STYLE}


class HandwritingTab(QWidget):
    """Lists the personal samples with each live model's reading and accuracy.

    Parameters
    ----------
    samples : the personal dataset.
    live_models : the window's :class:`~app.live_models.LiveModels` (``classify_batch``,
        ``batch_classified``, ``ready``, ``models_ready``, ``model_changed``), or None.
    """

    # The models' answers for the current samples are shown: {name: accuracy 0..1 or NaN}.
    accuracy_shown = Signal(object)
    # A message was shown: text, level ("ok", "error", "info").
    message_shown = Signal(str, str)

    def __init__(self, samples: PersonalSamples, live_models=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.samples = samples
        self.live_models = live_models
        self._generation = 0
        self._asked = -1
        # Answers for the current generation: model name -> int (n,) readings, float (n,) conf.
        self.readings: dict[str, np.ndarray] = {}
        self.confidence: dict[str, np.ndarray] = {}
        self._build()
        samples.changed.connect(self._on_samples_changed)
        if live_models is not None:
            live_models.batch_classified.connect(self._on_classified)
            live_models.models_ready.connect(self._on_models_changed)
            live_models.model_changed.connect(self._on_models_changed)
        self._on_samples_changed()

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setStyleSheet("font-size: 11pt;")  # as the accuracy line under it
        self.accuracy = QLabel()
        self.accuracy.setWordWrap(True)
        self.accuracy.setTextFormat(Qt.TextFormat.RichText)
        self.accuracy.setStyleSheet("font-size: 11pt;")

        self.toolbar = SampleToolbar()
        self.toolbar.filter_changed.connect(self._apply_filter)
        self.toolbar.relabel_requested.connect(self.relabel_selected)
        self.toolbar.delete_requested.connect(self.delete_selected)
        self.toolbar.import_chosen.connect(self.import_from)
        self.toolbar.export_chosen.connect(self.export_to)
        # The bar's controls, under the names the tab has always offered.
        self.filter = self.toolbar.filter
        self.relabel_button = self.toolbar.relabel_button
        self.delete_button = self.toolbar.delete_button
        self.import_button = self.toolbar.import_button
        self.export_button = self.toolbar.export_button

        # Room for the label and a second line with what the models read when they are wrong.
        self.grid = icon_grid(THUMB, THUMB + 64, THUMB + 50)
        # Not uniform: the size would be measured once, on a one-line label, and a label
        # that gains a second line (what the models read) would be cut to "7…".
        self.grid.setUniformItemSizes(False)
        self.grid.setWordWrap(True)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.itemSelectionChanged.connect(self._update_controls)
        # Delete acts while this tab is shown (a hidden tab's actions never fire), wherever
        # the focus is in it; the window's Edit menu lists it then.
        self.delete_action = QAction("Delete selected samples", self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.triggered.connect(self.delete_selected)
        self.addAction(self.delete_action)
        # Ctrl+Z (while this tab is shown) and the Undo button beside the message.
        self.delete_undo = DeleteUndo(self.samples, self)
        self.delete_undo.message.connect(self.show_message)
        self.delete_undo.restored.connect(self._select_keys)
        self.undo_delete_action = self.delete_undo.action
        self.undo_button = self.delete_undo.button
        self.grid.setToolTip(
            "Your saved drawings. Click to select, Ctrl+click or Shift+click for several; "
            "hover over one to see what each model reads"
        )

        self.empty_label = QLabel(_EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(f"{HINT_STYLE} font-size: 11pt; padding: 40px;")

        self.message = QLabel()
        self.message.setWordWrap(True)
        message_row = QHBoxLayout()
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.undo_button)
        self.path_label = QLabel()
        self.path_label.setStyleSheet(HINT_STYLE)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.accuracy)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(message_row)
        layout.addWidget(self.path_label)

    # ---------------------------------------------------------------- showing

    def _on_samples_changed(self) -> None:
        self._generation += 1
        self.readings, self.confidence = {}, {}
        self._fill()
        self.refresh_accuracy()
        if self.samples.problem:
            self.show_message(self.samples.problem, "error")

    def _fill(self) -> None:
        samples = self.samples.samples
        selected = {i.data(Qt.ItemDataRole.UserRole) for i in self.grid.selectedItems()}
        # Items are kept and updated in place (the grid keeps its scroll position when a
        # sample is added, relabelled or deleted); only surplus ones go, from the end.
        while self.grid.count() > len(samples):
            self.grid.takeItem(self.grid.count() - 1)
        for index, sample in enumerate(samples):
            item = self.grid.item(index)
            if item is None:
                item = QListWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                self.grid.addItem(item)
            item.setIcon(QIcon(digit_pixmap(sample.image, THUMB)))
            item.setText(label_text(sample.label))
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setSelected(index in selected)
        self._decorate()
        counts = self.samples.counts()
        per_digit = " · ".join(f"{d}: {c}" for d, c in enumerate(counts))
        if self.samples.not_digits():
            per_digit += f" · not a digit: {self.samples.not_digits()}"
        n = len(samples)
        self.summary.setText(
            f"<b>{n} sample{'' if n == 1 else 's'}</b> of your handwriting"
            + (f" &nbsp;·&nbsp; per digit {per_digit}" if n else "")
        )
        self.path_label.setText(f"Saved in {self.samples.path}")
        self.grid.setVisible(n > 0)
        self.empty_label.setVisible(n == 0)
        self._apply_filter()
        self._update_controls()

    def _decorate(self) -> None:
        """Label, colour and tooltip of each item from the models' readings."""
        samples = self.samples.samples
        labels = [s.label for s in samples]
        for row in range(self.grid.count()):
            item = self.grid.item(row)
            index = item.data(Qt.ItemDataRole.UserRole)
            sample = samples[index]
            wrong = misreadings(self.readings, labels, index)
            item.setText(grid_text(sample.label, wrong))
            item.setForeground(QBrush(_WRONG) if wrong else QBrush())
            item.setToolTip(
                reading_tooltip(sample.label, sample.added, self.readings, self.confidence, index)
            )

    def _apply_filter(self) -> None:
        choice = self.filter.currentData()
        samples = self.samples.samples
        labels = [s.label for s in samples]
        for row in range(self.grid.count()):
            item = self.grid.item(row)
            index = item.data(Qt.ItemDataRole.UserRole)
            if choice == ALL:
                hidden = False
            elif choice == MISREAD:
                hidden = not misreadings(self.readings, labels, index)
            else:
                hidden = samples[index].label != choice
            item.setHidden(hidden)

    def _update_controls(self) -> None:
        selected = bool(self.selected_indices())
        self.toolbar.set_state(selected, len(self.samples) > 0)
        self.delete_action.setEnabled(selected)

    def show_message(self, text: str, level: str = "info") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(_STYLE.get(level, _STYLE["info"]))
        self.undo_button.hide()  # offered with the message of a delete only
        self.message_shown.emit(text, level)

    # ---------------------------------------------------------------- the models' answers

    def _on_models_changed(self, _info) -> None:
        self.refresh_accuracy()

    def refresh_accuracy(self) -> None:
        """Ask the live models to read every sample (answered in the inference thread)."""
        samples = self.samples.samples
        if not samples:
            self.accuracy.setText("Each live model's accuracy on your samples appears here.")
            return
        live = self.live_models
        if live is None or not live.ready:
            self.accuracy.setText("Accuracy on your samples: waiting for the models to load…")
            return
        self.accuracy.setText("Accuracy on your samples: the models are reading them…")
        generation = self._generation
        self._asked = generation
        live.classify_batch(("handwriting", generation), lambda s=samples: model_inputs(s))

    def _on_classified(self, token, probabilities, error: str) -> None:
        if not (isinstance(token, tuple) and token[:1] == ("handwriting",)):
            return
        if token[1] != self._generation:
            return  # the samples changed since: a newer request is on its way
        if error or probabilities is None:
            self.accuracy.setText(f"Could not read your samples: {error}")
            return
        labels = np.asarray([s.label for s in self.samples.samples], np.int64)
        # Only digit models are scored: not a model of your own classes (e.g. circle, cross).
        rules = {n: info.known_rule for n, info in self.live_models.infos.items()}
        self.readings, self.confidence = digit_readings(probabilities, rules)
        if not self.readings:
            self.accuracy.setText(
                "The live model sorts pictures into its own classes, not digits, so it is not "
                f"scored on your samples. <span style='color:{HINT}'>“Restore bundled models” "
                "on the Train tab brings the digit models back.</span>"
            )
            self._decorate()
            self._apply_filter()
            self.accuracy_shown.emit({})
            return
        scores = accuracies(self.readings, labels)
        shares = {name: share for name, (_right, share) in scores.items()}
        parts = [
            f"<b>{model_title(name)}</b> reads {right} of {len(labels)} (<b>{share:.1%}</b>)"
            for name, (right, share) in scores.items()
        ]
        self.accuracy.setText(
            "Live models on your samples: "
            + " &nbsp;·&nbsp; ".join(parts)
            + (
                f"<br><span style='color:{HINT}'>Misread samples are marked in "
                "red with what each model read.</span>"
                if any(a < 1 for a in shares.values())
                else ""
            )
        )
        self._decorate()
        self._apply_filter()
        self.accuracy_shown.emit(shares)

    # ---------------------------------------------------------------- editing

    def selected_indices(self) -> list[int]:
        return sorted(
            i.data(Qt.ItemDataRole.UserRole) for i in self.grid.selectedItems() if not i.isHidden()
        )

    def select(self, indices) -> None:
        """Select the samples at ``indices`` (tests and keyboard users)."""
        wanted = set(indices)
        for row in range(self.grid.count()):
            item = self.grid.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) in wanted)

    def delete_selected(self) -> int:
        indices = self.selected_indices()
        if not indices:
            return 0
        try:
            deleted = self.samples.take(indices)
        except (PersonalDataError, OSError) as exc:
            self.show_message(f"Not deleted: {exc}", "error")
            return 0
        self.grid.clearSelection()
        self.show_message(f"Deleted {plural(len(deleted), 'sample')}.", "ok")
        self.delete_undo.offer(deleted)
        return len(deleted)

    def undo_delete(self) -> int:
        """Put back the samples of the last delete (see :class:`DeleteUndo`)."""
        return self.delete_undo.undo()

    def _select_keys(self, keys: set[str]) -> None:
        self.select(i for i, s in enumerate(self.samples.samples) if s.key in keys)

    def relabel_selected(self, digit: int) -> int:
        indices = self.selected_indices()
        if not indices:
            return 0
        try:
            count = self.samples.relabel(indices, digit)
        except (PersonalDataError, OSError) as exc:
            self.show_message(f"Not relabelled: {exc}", "error")
            return 0
        what = label_text(digit)
        self.show_message(
            f"{count} sample{'' if count == 1 else 's'} now labelled {what}."
            if count
            else f"Already labelled {what}.",
            "ok",
        )
        return count

    def import_from(self, path: str | Path) -> bool:
        """Merge a ``.jsonl`` file in; bad lines are reported, the rest imported."""
        try:
            report = self.samples.import_file(path)
        except (PersonalDataError, OSError) as exc:
            self.show_message(f"Nothing imported: {exc}", "error")
            return False
        text = (
            f"Imported {report.added} sample{'' if report.added == 1 else 's'} "
            f"from {Path(path).name}"
        )
        if report.duplicates:
            text += f"; {report.duplicates} already here (skipped)"
        if report.errors:
            text += (
                f"; {plural(len(report.errors), 'bad line')} skipped: "
                f"{bad_lines_text(report.errors)}"
            )
        self.show_message(text + ".", "error" if report.errors else "ok")
        return True

    def export_to(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() != ".jsonl":
            path = path.with_name(path.name + ".jsonl")
        try:
            count = self.samples.export(path)
        except (PersonalDataError, OSError) as exc:
            self.show_message(f"Not exported: {exc}", "error")
            return False
        self.show_message(f"Exported {count} sample{'' if count == 1 else 's'} to {path}.", "ok")
        return True
