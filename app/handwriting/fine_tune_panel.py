"""The training tab's "Fine-tune on my handwriting" box: run, compare before/after, keep or not.

It fine-tunes the model chosen in the tab's model list (bundled, trained or loaded) on the
personal samples mixed with MNIST, in a :class:`~app.fine_tune_worker.FineTuneWorker` that the
tab runs like a training run (its progress bar, curves, Pause and Cancel). The result is
shown as before/after accuracy; "Keep" adds the tuned model to the tab's list and puts it
live through the tab's own "Use this model" path (which also remembers it for the next
start); "Discard" drops it and nothing changes.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.handwriting.fine_tune_worker import FineTuneOutcome, FineTuneWorker
from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.training.model_list import ModelEntry
from digitlab.app.training.run_control import format_duration
from digitlab.app.widgets.styles import BAD, GOOD, HINT, HINT_STYLE
from digitlab.model.nets.fine_tune import FineTuneRecipe
from digitlab.model.nets.known import KnownRule, stored_rule
from digitlab.model.nets.training_wording import fine_tune_note
from digitlab.model.nets.wording import model_title, plural

MIN_SAMPLES = 3
"""Fewer personal samples than this: the button explains instead of running."""


def _pct(value: float | None) -> str:
    # Two decimals, as the Model tab: on 10,000 test digits a change of 0.01 points is one digit.
    return "–" if value is None or not math.isfinite(value) else f"{value * 100:.2f}%"


def _change(before: float, after: float) -> str:
    if not (math.isfinite(before) and math.isfinite(after)):
        return ""
    delta = (after - before) * 100
    if abs(delta) < 0.005:
        return f"<span style='color:{HINT}'>±0.00</span>"
    colour = GOOD if delta > 0 else BAD
    return f"<span style='color:{colour}'>{delta:+.2f}</span>"


def cannot_fine_tune(entry: ModelEntry | None) -> str:
    """Why ``entry`` cannot be fine-tuned on the personal samples (drawings of the digits 0-9),
    or ``""`` when it can: only a digit model (the CNN or dense slot) reads them."""
    if entry is None or entry.slot in ("cnn", "dense"):
        return ""
    names = entry.class_names
    shown = ", ".join(names[:4]) + ("…" if len(names) > 4 else "")
    what = f"your own {len(names)} classes ({shown})" if names else "classes of its own"
    return (
        f"{entry.label} reads {what}, not the digits 0–9 your handwriting samples are: "
        "choose a digit model (CNN or dense) to fine-tune."
    )


class FineTunePanel(QGroupBox):
    """Fine-tune the tab's chosen model on the personal samples.

    Parameters
    ----------
    tab : the :class:`~digitlab.app.training.tab.TrainingTab` it lives in (it runs the
        worker through the tab's ``run_worker`` and adds the kept model with ``add_model``).
    samples : the personal dataset.
    recipe : the fine-tuning recipe (tests pass a tiny one).
    """

    # A fine-tuning run ended: the FineTuneOutcome.
    run_finished = Signal(object)
    # The user kept (True) or discarded (False) the tuned model.
    decided = Signal(bool)

    def __init__(
        self,
        tab,
        samples: PersonalSamples,
        recipe: FineTuneRecipe | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__("Fine-tune on my handwriting", parent)
        self.tab = tab
        self.samples = samples
        self.recipe = recipe or FineTuneRecipe()
        self.test_size: int | None = None
        self.data = None
        self.pending: FineTuneOutcome | None = None
        self._kept = 0
        self._running = False

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet(HINT_STYLE)
        self.run_button = QPushButton("Fine-tune")
        self.run_button.clicked.connect(self.start)

        self.results = QWidget()
        grid = QGridLayout(self.results)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for col, text in enumerate(("", "before", "after", "change")):
            head = QLabel(f"<b>{text}</b>")
            head.setAlignment(Qt.AlignmentFlag.AlignRight if col else Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(head, 0, col)
        self.cells: dict[tuple[str, str], QLabel] = {}
        rows = (("mnist", "MNIST test"), ("personal", "My handwriting"))
        for row, (key, text) in enumerate(rows, 1):
            grid.addWidget(QLabel(text), row, 0)
            for col, which in enumerate(("before", "after", "change"), 1):
                cell = QLabel("–")
                cell.setAlignment(Qt.AlignmentFlag.AlignRight)
                cell.setTextFormat(Qt.TextFormat.RichText)
                grid.addWidget(cell, row, col)
                self.cells[(key, which)] = cell
        grid.setColumnStretch(0, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(HINT_STYLE)
        self.keep_button = QPushButton("Keep")
        self.keep_button.setToolTip("Add the tuned model to the list and use it live now")
        self.keep_button.clicked.connect(self.keep)
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Forget the tuned model; nothing changes")
        self.discard_button.clicked.connect(self.discard)
        decide = QHBoxLayout()
        decide.addWidget(self.keep_button, 1)
        decide.addWidget(self.discard_button, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(top)
        layout.addWidget(self.results)
        layout.addWidget(self.note)
        layout.addLayout(decide)
        self._show_result(None)
        samples.changed.connect(self.update_state)
        tab.controls_changed.connect(self.update_state)  # a run started or ended, a new choice
        self.update_state()

    # ---------------------------------------------------------------- state

    def update_state(self) -> None:
        """Enable the button and say what it would do."""
        n = len(self.samples)
        entry = self.tab.current_entry()
        busy = self.tab.is_training()
        name = entry.label if entry is not None else "a model"
        blocked = cannot_fine_tune(entry)
        if blocked:
            self.intro.setText(blocked)
        elif n < MIN_SAMPLES:
            have = "No samples yet" if n == 0 else f"Only {plural(n, 'sample')}"
            self.intro.setText(
                f"{have}: save at least {MIN_SAMPLES} with “Wrong? It was:” on "
                "the Draw tab to fine-tune on them."
            )
        else:
            r = self.recipe
            self.intro.setText(
                f"<b>{name}</b> on your {plural(n, 'sample')} + {r.mnist_size:,} MNIST "
                f"digits, {plural(r.epochs, 'epoch')}."
            )
        self.run_button.setEnabled(
            not blocked and n >= MIN_SAMPLES and entry is not None and not busy
        )
        self.run_button.setToolTip(
            blocked or "Tune the chosen model on your samples mixed with MNIST digits"
        )

    def _show_result(self, outcome: FineTuneOutcome | None) -> None:
        shown = outcome is not None and outcome.completed
        self.results.setVisible(shown)
        self.note.setVisible(shown)
        self.keep_button.setVisible(shown)
        self.discard_button.setVisible(shown)
        if not shown:
            return
        for key in ("mnist", "personal"):
            before = getattr(outcome.before, key)
            after = getattr(outcome.after, key)
            self.cells[(key, "before")].setText(_pct(before))
            self.cells[(key, "after")].setText(f"<b>{_pct(after)}</b>")
            self.cells[(key, "change")].setText(_change(before, after))
        recipe = outcome.recipe  # the run's own (the panel's may have changed since)
        self.note.setText(
            fine_tune_note(
                outcome.held_out,
                outcome.tuned,
                outcome.measured,
                recipe.min_for_holdout,
                recipe.holdout,
            )
        )
        # The result grows the box below the fold at 1280x800: scroll Keep/Discard into view
        # once the layout has taken the new rows.
        QTimer.singleShot(0, self._reveal)

    def _reveal(self) -> None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None and self.keep_button.isVisible():
            parent.ensureWidgetVisible(self.keep_button, 0, 12)

    # ---------------------------------------------------------------- running

    def start(self) -> FineTuneWorker | None:
        """Fine-tune the tab's chosen model; returns the worker (None when it cannot start)."""
        tab = self.tab
        entry = tab.current_entry()
        if entry is None or tab.is_training() or len(self.samples) < MIN_SAMPLES:
            return None
        if cannot_fine_tune(entry):
            return None
        from digitlab.model.nets.inference import copy_model

        try:
            model = entry.path if entry.model is None else copy_model(entry.model)
        except Exception as exc:
            tab.show_message(f"Cannot fine-tune {entry.label}: {exc}", "error")
            return None
        self.discard(quiet=True)
        worker = FineTuneWorker(
            entry.slot,
            model,
            list(self.samples.samples),
            self.recipe,
            source=entry.label,
            known_rule=stored_rule(entry.path) if entry.path else KnownRule(),
            data=self.data,
            test_size=self.test_size,
        )
        worker.stage.connect(tab.show_status)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        # The tab shows it like a training run: progress, curves, Pause and Cancel.
        n = min(self.recipe.mnist_size, 60_000)
        tab.run_worker(
            worker,
            batches_per_epoch=self.recipe.steps_per_epoch(n),
            progress_text="measuring before tuning…",
            status_text=f"Fine-tuning {entry.label} on your handwriting…",
        )
        return worker

    def _on_finished(self, outcome: FineTuneOutcome) -> None:
        tab = self.tab
        if outcome.nan:
            tab.end_run(
                "stopped: loss became NaN",
                message=(
                    "Fine-tuning stopped: the loss became NaN. The tuned model was discarded; "
                    "nothing changed.",
                    "error",
                ),
            )
        elif not outcome.completed:
            tab.end_run("cancelled", message=("Fine-tuning cancelled. Nothing changed.", "info"))
        else:
            self.pending = outcome
            # No banner: the box below shows the result.
            tab.end_run(f"fine-tuned in {format_duration(outcome.seconds)}", complete=True)
        self._show_result(self.pending)
        self.run_finished.emit(outcome)

    def _on_failed(self, message: str) -> None:
        self.tab.end_run(
            "failed", message=(f"Fine-tuning failed: {message}. Nothing changed.", "error")
        )

    # ---------------------------------------------------------------- deciding

    def keep(self) -> bool:
        """Add the tuned model to the tab's list and use it live; True when done."""
        outcome = self.pending
        if outcome is None:
            return False
        self._kept += 1
        label = (
            f"{model_title(outcome.slot)} tuned on my handwriting #{self._kept} "
            f"({plural(outcome.tuned, 'sample')})"
        )
        self.tab.add_model(ModelEntry(label, outcome.slot, model=outcome.model), "tuned")
        self.pending = None
        self._show_result(None)
        used = self.tab.use_current()
        if not used and self.tab.live_models is None:
            self.tab.show_message(f"Kept as “{label}” in the model list.", "ok")
        self.decided.emit(True)
        return True

    def discard(self, quiet: bool = False) -> None:
        """Forget the tuned model (the live models and the list stay as they were)."""
        had = self.pending is not None
        self.pending = None
        self._show_result(None)
        if had and not quiet:
            self.tab.show_message("Discarded the tuned model; nothing changed.", "info")
            self.decided.emit(False)
