"""The "Explain" tab: see why the models answered what they did, on your own drawing.

Where each model looked (occlusion for both, Grad-CAM on the CNN's conv2), what the model
saw step by step, how the answer changed stroke by stroke (with a replay), what the layers
look for (weights as pictures, each unit's strongest MNIST digits), the receptive-field
table read from the real layers, and what the error rates mean at a million digits a day.

The heavy work runs in its own thread (:mod:`digitlab.app.explain.worker`) with its own model
copies, at most :data:`MAX_RATE_HZ` times a second and only while this tab is visible, so
the live bars on the Draw tab never wait for it.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.model.preprocess.canvas_strokes import DrawnStroke
from digitlab.app.explain.views import (
    DigitStrip,
    DrawOverlay,
    FiltersView,
    HistoryPlot,
    SaliencyView,
    StepsView,
)
from digitlab.app.explain.worker import ExplainRequest, ExplainThread, Explanation, ModelPictures
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.model.nets.describe import reads_digits
from digitlab.model.nets.wording import model_title
from digitlab.model.explain import at_scale
from digitlab.model.explain.receptive_field import field_table

MAX_RATE_HZ = 8.0
"""Explanations per second at most while drawing."""
REPLAY_FRAMES_PER_STROKE = 6
REPLAY_INTERVAL_MS = 90
SET_TITLES = {"mnist-test": "MNIST's test set", "pen-dev": "the pen-drawn dev set"}
SET_NAMES = {"mnist-test": "MNIST test", "pen-dev": "pen-drawn dev"}
TOP_LAYER_WORDS = {"conv1": "conv1 kernel", "conv2": "conv2 kernel", "hidden": "hidden unit",
                   "dense": "dense unit"}


def _cache_dir():
    from digitlab.app.storage import app_data_dir

    path = app_data_dir() / "explain"
    path.mkdir(parents=True, exist_ok=True)
    return path


class AtScalePanel(QWidget):
    """Expected misreadings per day for a number of events, from the measured error rates."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from digitlab.model.data.bundled import METRICS_PATH

        self.sets = at_scale.measured_from_metrics(METRICS_PATH)
        self.events = QDoubleSpinBox()
        self.events.setDecimals(0)
        self.events.setRange(1, 1e12)
        self.events.setGroupSeparatorShown(True)
        self.events.setValue(at_scale.DEFAULT_EVENTS)
        self.events.setSuffix(" digits a day")
        self.events.setMinimumWidth(200)
        self.events.valueChanged.connect(self._update)
        top = QHBoxLayout()
        top.addWidget(QLabel("If the app read"))
        top.addWidget(self.events)
        top.addStretch(1)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["measured on", "model", "errors measured", "misreadings a day", "95% interval"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.RichText)
        note = QLabel("Error rates measured for the bundled models (resources/models); the "
                      "interval is the Wilson 95% interval of each rate, and Newcombe's for the "
                      "difference.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #55606e;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.sentence)
        layout.addWidget(note)
        self._update()

    def set_events(self, events: int) -> None:
        self.events.setValue(events)

    def _update(self) -> None:
        events = int(self.events.value())
        rows, sentences = [], []
        for key, measured in self.sets.items():
            for name, m in sorted(measured.items(), key=lambda kv: kv[1].rate):
                e = at_scale.expected_errors(m, events)
                rows.append((SET_NAMES.get(key, key), model_title(name),
                             f"{m.errors} of {m.total:,} ({m.rate:.2%})",
                             f"{e.count:,.0f}", f"{e.low:,.0f} – {e.high:,.0f}"))
            if len(measured) == 2:
                comp = at_scale.compare(measured, events)
                titles = {n: model_title(n) if n == "cnn" else "dense network" for n in measured}
                sentences.append(at_scale.sentence(comp, titles, SET_TITLES.get(key, key)))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.sentence.setText("<p>" + "</p><p>".join(sentences) + "</p>" if sentences else
                              "No measured error rates were found.")


class FieldsTable(QTableWidget):
    """The feature hierarchy of both models, computed from their layers."""

    def __init__(self, parent=None):
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(["model", "layer", "what it detects", "receptive field",
                                        "step between units"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.horizontalHeader()
        for c, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.Stretch,
                                  QHeaderView.ResizeMode.ResizeToContents,
                                  QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(c, mode)
        self._fields: dict[str, tuple] = {}

    def set_fields(self, name: str, fields) -> None:
        self._fields[name] = tuple(fields)
        rows = [(model_title(n), *row) for n, f in self._fields.items() for row in field_table(f)]
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(r, c, item)

    def cell_text(self, model: str, layer: str, column: int) -> str:
        """The text in ``column`` of ``model``'s ``layer`` row (tests)."""
        for r in range(self.rowCount()):
            if (self.item(r, 0).text() == model_title(model)
                    and self.item(r, 1).text().split(" ")[0] == layer):
                return self.item(r, column).text()
        raise KeyError((model, layer))


class ExplainTab(QWidget):
    """See why it answered (see the module docstring).

    Parameters
    ----------
    live : the window's :class:`digitlab.app.live.live_models.LiveModels` (its results are explained).
    canvas : the Draw tab's canvas (strokes for the steps, the history and the replay).
    explain_thread : the explanation thread (default: a new one on the bundled models).
    """

    # An explanation was shown: its revision.
    explanation_shown = Signal(int)

    def __init__(self, live, canvas, explain_thread: ExplainThread | None = None, parent=None):
        super().__init__(parent)
        self.live = live
        self.canvas = canvas
        self.explainer = explain_thread or ExplainThread(cache_dir=_cache_dir, parent=self)
        worker = self.explainer.worker
        worker.ready.connect(self._on_ready)
        worker.model_changed.connect(self._on_pictures)
        worker.explained.connect(self._on_explained)
        worker.top_ready.connect(self._on_top)
        worker.digits_ready.connect(self._on_digits)
        worker.failed.connect(self._on_failed)
        live.result.connect(self._on_live_result)
        if hasattr(live, "model_requested"):
            live.model_requested.connect(self._on_model_requested)
        if hasattr(live, "models_ready"):
            live.models_ready.connect(self._on_models_ready)
        # Slots given a model other than the bundled one (forgotten when those come back).
        self._replaced: set[str] = set()
        # Another set is live (a model of your own classes): Explain still explains the digits.
        self._other_live = False
        self.latest: Explanation | None = None
        self.pictures: dict[str, ModelPictures] = {}
        self.top: dict[str, dict[str, np.ndarray]] = {}
        self.digits: np.ndarray | None = None
        self.draw_overlay: DrawOverlay | None = None
        self._live_result = None
        self._hovered: tuple[str, str, int] | None = None
        self._last_submit = 0.0
        self._submitted_revision = -1
        self._replay: list[list[DrawnStroke]] = []
        self._replay_original: list[DrawnStroke] = []
        self._replay_cursor: list[float] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._submit)
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(REPLAY_INTERVAL_MS)
        self._replay_timer.timeout.connect(self._replay_step)
        self._build()

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        # Where it looked.
        self.target = QComboBox()
        self.target.addItem("each model's answer")
        for digit in range(10):
            self.target.addItem(f"class {digit}")
        self.target.setToolTip("The class whose evidence is shown. Clicking a bar on the Draw "
                               "tab picks it too.")
        self.target.currentIndexChanged.connect(lambda _: self._resubmit())
        self.overlay_toggle = QCheckBox("Show the map")
        self.overlay_toggle.setChecked(True)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(75)
        self.opacity.setMaximumWidth(160)
        self.opacity.setToolTip("Opacity of the saliency map over the drawing")
        self.overlay_toggle.toggled.connect(self._update_overlay)
        self.opacity.valueChanged.connect(self._update_overlay)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Explain"))
        controls.addWidget(self.target)
        controls.addSpacing(12)
        controls.addWidget(self.overlay_toggle)
        controls.addWidget(QLabel("Opacity"))
        controls.addWidget(self.opacity)
        controls.addStretch(1)
        self.maps = {"cnn-occlusion": SaliencyView("CNN · occlusion"),
                     "cnn-gradcam": SaliencyView("CNN · Grad-CAM on conv2 (11×11)"),
                     "dense-occlusion": SaliencyView("Dense network · occlusion")}
        maps_row = QHBoxLayout()
        for view in self.maps.values():
            maps_row.addWidget(view, 1)
        self.reading = QLabel("Draw a digit on the Draw tab; its explanation appears here.")
        self.reading.setWordWrap(True)
        self.reading.setTextFormat(Qt.TextFormat.RichText)
        where = QGroupBox("Where it looked · red: the parts that made the answer")
        where_layout = QVBoxLayout(where)
        where_layout.addLayout(controls)
        where_layout.addLayout(maps_row, 1)
        where_layout.addWidget(self.reading)

        self.steps = StepsView()
        steps_box = QGroupBox("What the model saw, step by step")
        QVBoxLayout(steps_box).addWidget(self.steps)

        # How the answer changed.
        self.history = HistoryPlot()
        self.replay_button = QPushButton("Replay the drawing")
        self.replay_button.setToolTip("Redraw your strokes one by one and watch both answers move")
        self.replay_button.clicked.connect(self.toggle_replay)
        self.history_note = QLabel("Each point is the top probability after a stroke; the "
                                   "digit above it is the class read then.")
        self.history_note.setWordWrap(True)
        self.history_note.setStyleSheet("color: #55606e;")
        history_box = QGroupBox("How the answer changed, stroke by stroke")
        hl = QVBoxLayout(history_box)
        hl.addWidget(self.history, 1)
        row = QHBoxLayout()
        row.addWidget(self.replay_button)
        row.addWidget(self.history_note, 1)
        hl.addLayout(row)

        # Filters, fields, at scale.
        self.filters = FiltersView()
        self.filters.hovered.connect(self._on_filter_hovered)
        self.digit_strip = DigitStrip()
        self.filter_label = QLabel("Hover a kernel or a template to see the MNIST test digits "
                                   "that drive its unit hardest. Red: positive weight, blue: "
                                   "negative.")
        self.filter_label.setWordWrap(True)
        self.filter_label.setStyleSheet("color: #55606e;")
        filters_page = QWidget()
        fl = QVBoxLayout(filters_page)
        fl.setContentsMargins(4, 4, 4, 4)
        fl.addWidget(self.filters, 1)
        fl.addWidget(self.filter_label)
        fl.addWidget(self.digit_strip)
        self.fields = FieldsTable()
        self.at_scale = AtScalePanel()
        self.pages = QTabWidget()
        self.pages.addTab(filters_page, "What the layers look for")
        self.pages.addTab(self.fields, "Receptive fields")
        self.pages.addTab(self.at_scale, "At scale")
        self.pages.currentChanged.connect(lambda _: self._want_top())

        top = stretch_splitter(Qt.Orientation.Horizontal, (where, 5), (steps_box, 4))
        bottom = stretch_splitter(Qt.Orientation.Horizontal, (history_box, 2), (self.pages, 3))
        split = stretch_splitter(Qt.Orientation.Vertical, (top, 1), (bottom, 1))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)
        self._bottom = bottom
        self._sized = False
        self._update_overlay()

    # ---------------------------------------------------------------- lifecycle

    @property
    def active(self) -> bool:
        """Explanations are computed only while the tab is on screen or the Draw tab's
        overlay is on."""
        return self.isVisible() or (self.draw_overlay is not None and self.draw_overlay.enabled)

    def attach_to_draw_tab(self, draw_tab) -> None:
        """Put a "where it looked" overlay, its switch and opacity on the Draw tab's model
        input (the Draw tab itself is not edited: the items are added to its input view)."""
        self.draw_overlay = DrawOverlay(draw_tab.input_view)
        self.draw_overlay.changed.connect(self._on_draw_overlay_changed)

    def _on_draw_overlay_changed(self) -> None:
        if self.draw_overlay.enabled:
            self.explainer.start()
            self._resubmit()
        elif not self.active:
            self._timer.stop()
            self.explainer.worker.drop_pending()
        if self.latest is not None:
            self.draw_overlay.show_explanation(self.latest)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if not self.active:
            self._timer.stop()
            self.explainer.worker.drop_pending()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        total = self._bottom.width()
        if total > 0 and not self._sized:
            self._sized = True  # the weights need the room more than the history does
            self._bottom.setSizes([int(total * 0.4), total - int(total * 0.4)])
        self.explainer.start()
        self._resubmit()
        self._want_top()

    def screenshot_ready(self) -> bool:
        """The current drawing is explained and the hovered unit's digits are ready."""
        live = self._live_result
        explained = live is None or live.empty or (
            self.latest is not None and self.latest.revision == live.revision)
        return explained and (self.pages.currentIndex() != 0 or len(self.top) >= len(self.pictures) > 0)

    def shutdown(self) -> None:
        """Stop the replay and join the explanation thread (the window is closing)."""
        self._replay_timer.stop()
        self._timer.stop()
        self.explainer.stop()

    # ---------------------------------------------------------------- requests

    def set_target(self, digit: int | None) -> None:
        """Explain ``digit`` (None: each model's own answer)."""
        self.target.setCurrentIndex(0 if digit is None else int(digit) + 1)

    def target_class(self) -> int | None:
        index = self.target.currentIndex()
        return None if index <= 0 else index - 1

    def _on_live_result(self, result) -> None:
        self._live_result = result
        if self.active:
            self._schedule()

    def _resubmit(self) -> None:
        self._submitted_revision = -1
        self._schedule()

    def _schedule(self) -> None:
        if self._live_result is None or not self.active:
            return
        wait = self._last_submit + 1.0 / MAX_RATE_HZ - time.perf_counter()
        if wait <= 0:
            self._submit()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _submit(self) -> None:
        result = self._live_result
        if result is None or not self.active:
            return
        if result.empty:
            self._show_empty(result)
            return
        strokes: tuple = ()
        if result.revision == self.canvas.revision and not self.canvas.is_empty():
            strokes = tuple(self.canvas.model_strokes())
        self._last_submit = time.perf_counter()
        self._submitted_revision = result.revision
        self.explainer.worker.submit(ExplainRequest(result.revision, result.preprocessed, strokes,
                                                    self.canvas.canvas_size(),
                                                    self.target_class()))

    def _on_model_requested(self, name: str, model) -> None:
        """A new live model: explain with the same (a path, or a copy made here)."""
        if hasattr(model, "layers"):
            from digitlab.model.nets.inference import copy_model

            model = copy_model(model)
        self._replaced.add(name)
        self.explainer.worker.set_model(name, model)

    def _on_models_ready(self, infos) -> None:
        """A whole new live set. "Restore bundled models" brings the digit pair back this way
        (no per-slot request): explain the bundled models again where another was put live."""
        self._other_live = not reads_digits(infos)
        if self._other_live or not self._replaced:
            return
        from digitlab.model.data.bundled import bundled_model_path

        for name in sorted(self._replaced):
            self.explainer.worker.set_model(name, bundled_model_path(name))
        self._replaced.clear()

    def _want_top(self) -> None:
        if self.active and self.pages.currentIndex() == 0 and self.pictures:
            for name in self.pictures:
                if name not in self.top:
                    self.explainer.worker.request_top(name)

    # ---------------------------------------------------------------- results

    def _on_ready(self, pictures: dict) -> None:
        for info in pictures.values():
            self._on_pictures(info)
        self._want_top()

    def _on_pictures(self, info: ModelPictures) -> None:
        self.pictures[info.name] = info
        self.top.pop(info.name, None)
        self.filters.set_pictures(info.name, info.mosaics)
        self.fields.set_fields(info.name, info.fields)
        self._want_top()

    def _on_top(self, name: str, top: dict) -> None:
        self.top[name] = top
        model, layer, unit = self._hovered or ("cnn", "conv1", 0)
        if model == name:  # show digits without waiting for a move
            self.filters.hover(model, layer, unit)

    def _on_digits(self, digits: np.ndarray) -> None:
        self.digits = digits

    def _on_failed(self, message: str) -> None:
        self.reading.setText(f"<span style='color:#a33'>{message.splitlines()[0]}</span>")

    def _show_empty(self, result) -> None:
        for view in self.maps.values():
            view.show_map(np.zeros((28, 28), np.float32), None, "")
        self.steps.show_steps(result.preprocessed, None)
        if not self._replay:
            self.history.show_history({})
        self.reading.setText("Draw a digit on the Draw tab; its explanation appears here."
                             + self._other_live_note())
        self.latest = None
        if self.draw_overlay is not None:
            self.draw_overlay.show_explanation(None)

    def _on_explained(self, ex: Explanation) -> None:
        live = self._live_result
        if live is not None and (live.empty or ex.revision < self._submitted_revision):
            return  # the canvas was cleared, or a newer drawing is on its way
        self.latest = ex
        image = ex.preprocessed.image
        for name in ("cnn", "dense"):
            if name not in ex.occlusion:
                continue
            target = ex.targets[name]
            occ = ex.occlusion[name]
            drop = float(occ.max())
            self.maps[f"{name}-occlusion"].show_map(
                image, np.clip(occ, 0, None),
                f"covering the red parts lowers P({target}) most: by up to "
                f"{drop * 100:.2g} points")
        cam = ex.gradcam.get("cnn")
        if cam is not None:
            self.maps["cnn-gradcam"].show_map(
                image, cam.input_map,
                f"conv2 features that speak for {ex.targets['cnn']}, mapped back through each "
                f"unit's 8×8 field" if cam.peak > 0 else
                f"no conv2 feature speaks for {ex.targets['cnn']}")
        self.steps.show_steps(ex.preprocessed, ex.raw)
        if not self._replay:
            self.history.show_history(ex.history)
        parts = []
        for name, p in ex.probabilities.items():
            top = int(np.argmax(p))
            t = ex.targets[name]
            extra = "" if t == top else f", P({t}) = {p[t]:.1%}"
            parts.append(f"<b>{model_title(name)}</b> reads <b>{top}</b> ({p[top]:.1%}{extra})")
        which = ("each model's own answer" if self.target_class() is None
                 else f"class {self.target_class()}")
        self.reading.setText(" · ".join(parts) + f" — explaining {which}."
                             + self._other_live_note())
        if self.draw_overlay is not None:
            self.draw_overlay.show_explanation(ex)
        self.explanation_shown.emit(ex.revision)

    def _other_live_note(self) -> str:
        if not self._other_live:
            return ""
        return "<br><i>Your own model is live on the Draw tab; this tab explains the digit models.</i>"

    def _update_overlay(self) -> None:
        for view in self.maps.values():
            view.set_overlay(self.overlay_toggle.isChecked(), self.opacity.value() / 100.0)

    def _on_filter_hovered(self, model: str, layer: str, unit: int) -> None:
        if not layer:
            return
        self._hovered = (model, layer, unit)
        what = TOP_LAYER_WORDS.get(layer, layer)
        top = self.top.get(model, {}).get(layer)
        if top is None or self.digits is None or unit >= len(top):
            self.filter_label.setText(f"{model_title(model)} · {what} {unit}: finding its "
                                      f"strongest MNIST digits (once per model)…")
            self.digit_strip.show_digits(None)
            return
        indices = top[unit]
        self.filter_label.setText(f"{model_title(model)} · {what} {unit}: the MNIST test digits "
                                  f"that drive it hardest, strongest first.")
        self.digit_strip.show_digits(self.digits[indices], indices)

    # ---------------------------------------------------------------- replay

    @property
    def replaying(self) -> bool:
        return bool(self._replay)

    def toggle_replay(self) -> None:
        if self._replay:
            self._finish_replay()
            return
        strokes = [DrawnStroke(list(s.points), s.width, s.erase) for s in self.canvas.strokes()]
        if not strokes:
            return
        frames, cursor = [], []
        for i, stroke in enumerate(strokes):
            n = len(stroke.points)
            cuts = sorted({max(1, int(round(n * f / REPLAY_FRAMES_PER_STROKE)))
                           for f in range(1, REPLAY_FRAMES_PER_STROKE + 1)})
            for cut in cuts:
                frames.append(strokes[:i] + [DrawnStroke(stroke.points[:cut], stroke.width,
                                                         stroke.erase)])
                cursor.append(i + cut / n)
        self._replay_original = strokes
        self._replay = frames
        self._replay_cursor = cursor
        self.replay_button.setText("Stop the replay")
        self.canvas.set_strokes([])
        self._replay_timer.start()

    def _replay_step(self) -> None:
        if not self._replay:
            self._finish_replay()
            return
        frame = self._replay.pop(0)
        self.history.set_cursor(self._replay_cursor.pop(0))
        self.canvas.set_strokes(frame)
        if not self._replay:
            self._finish_replay()

    def _finish_replay(self) -> None:
        self._replay_timer.stop()
        self._replay = []
        self.history.set_cursor(None)
        self.replay_button.setText("Replay the drawing")
        if self._replay_original:
            self.canvas.set_strokes(self._replay_original)
        self._replay_original = []
