"""The "Explain" tab: see why the models answered what they did, on your own drawing.

Where each model looked (occlusion for both, Grad-CAM on the CNN's conv2), what the model
saw step by step, how the answer changed stroke by stroke (with a replay), what the layers
look for (weights as pictures, each unit's strongest MNIST digits), the receptive-field
table read from the real layers, and what the error rates mean at a million digits a day.

This module wires the panels (one module each in this package) to the live models and the
explanation thread. The heavy work runs in its own thread
(:mod:`digitlab.app.explain.worker`) with its own model copies, at most :data:`MAX_RATE_HZ`
times a second and only while this tab is visible, so the live bars on the Draw tab never
wait for it.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QTabWidget, QVBoxLayout, QWidget

from digitlab.app.draw.canvas import DrawingCanvas
from digitlab.app.explain.draw_overlay import DrawOverlay
from digitlab.app.explain.filters_view import LayersPage
from digitlab.app.explain.history_view import HistoryPanel
from digitlab.app.explain.steps_view import StepsView
from digitlab.app.explain.table_pages import AtScalePanel, FieldsTable
from digitlab.app.explain.where_panel import WherePanel
from digitlab.app.explain.worker import ExplainRequest, ExplainThread, Explanation, ModelPictures
from digitlab.app.live.live_models import LiveModels
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.model.explain.readings import OTHER_LIVE_NOTE
from digitlab.model.nets.describe import reads_digits

MAX_RATE_HZ = 8.0
"""Explanations per second at most while drawing."""
_LAYERS_PAGE = 0
"""The pages' index of "What the layers look for" (the one that needs each unit's digits)."""


def _cache_dir():
    from digitlab.app.storage import app_data_dir

    path = app_data_dir() / "explain"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ExplainTab(QWidget):
    """See why it answered (see the module docstring).

    Parameters
    ----------
    live : the window's live models (their results are explained; a model put live is
        explained too).
    canvas : the Draw tab's canvas (strokes for the steps, the history and the replay, which
        shows its frames as the canvas's preview).
    explain_thread : the explanation thread (default: a new one on the bundled models).

    The panels are public for tests and the self-test: :attr:`where` (its :attr:`maps`,
    :attr:`reading`, :attr:`target`, :attr:`overlay_toggle`, :attr:`opacity`),
    :attr:`steps`, :attr:`history_box` (its :attr:`history` plot and
    :attr:`replay_button`), and on :attr:`pages`: :attr:`layers` (its :attr:`filters`,
    :attr:`filter_label`, :attr:`digit_strip`), :attr:`fields`, :attr:`at_scale`.
    """

    # An explanation was shown: its revision.
    explanation_shown = Signal(int)

    def __init__(
        self,
        live: LiveModels,
        canvas: DrawingCanvas,
        explain_thread: ExplainThread | None = None,
        parent=None,
    ):
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
        # Slots given a model other than the bundled one (forgotten when those come back).
        self._replaced: set[str] = set()
        # Another set is live (a model of your own classes): Explain still explains the digits.
        self._other_live = False
        self.latest: Explanation | None = None
        self.pictures: dict[str, ModelPictures] = {}
        self.draw_overlay: DrawOverlay | None = None
        self._live_result = live.latest
        self._last_submit = 0.0
        self._submitted_revision = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._submit)
        self._build()
        # Built after the first answer: it also catches up with the models put live before.
        live.follow_models(self._on_model_requested, self._on_models_ready)

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        self.where = WherePanel()
        self.where.target_changed.connect(self._resubmit)
        self.maps, self.reading = self.where.maps, self.where.reading
        self.target = self.where.target
        self.overlay_toggle, self.opacity = self.where.overlay_toggle, self.where.opacity

        self.steps = StepsView()
        steps_box = QGroupBox("What the model saw, step by step")
        QVBoxLayout(steps_box).addWidget(self.steps)

        self.history_box = HistoryPanel(self.canvas)
        self.history, self.replay_button = self.history_box.plot, self.history_box.replay_button

        self.layers = LayersPage()
        self.filters, self.filter_label = self.layers.filters, self.layers.label
        self.digit_strip = self.layers.strip
        self.fields = FieldsTable()
        self.at_scale = AtScalePanel()
        self.pages = QTabWidget()
        self.pages.addTab(self.layers, "What the layers look for")
        self.pages.addTab(self.fields, "Receptive fields")
        self.pages.addTab(self.at_scale, "At scale")
        self.pages.currentChanged.connect(lambda _: self._want_top())

        top = stretch_splitter(Qt.Orientation.Horizontal, (self.where, 5), (steps_box, 4))
        bottom = stretch_splitter(Qt.Orientation.Horizontal, (self.history_box, 2), (self.pages, 3))
        split = stretch_splitter(Qt.Orientation.Vertical, (top, 1), (bottom, 1))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)
        self._bottom = bottom
        self._sized = False

    @property
    def top(self) -> dict[str, dict[str, np.ndarray]]:
        """Each model's top MNIST digits per layer (see :class:`LayersPage`)."""
        return self.layers.top

    @property
    def digits(self) -> np.ndarray | None:
        """uint8 ``(10000, 28, 28)`` MNIST test digits, or None until they arrive."""
        return self.layers.digits

    # ---------------------------------------------------------------- lifecycle

    @property
    def active(self) -> bool:
        """Explanations are computed only while the tab is on screen or the Draw tab's
        overlay is on."""
        return self.isVisible() or (self.draw_overlay is not None and self.draw_overlay.enabled)

    def attach_overlay(self, overlay: DrawOverlay) -> None:
        """Serve the Draw tab's "where it looked" overlay (made with the Draw tab, so that its
        controls are in place from the start; this tab is built later). An overlay already
        switched on is served at once."""
        self.draw_overlay = overlay
        overlay.changed.connect(self._on_draw_overlay_changed)
        if overlay.enabled:
            self._on_draw_overlay_changed()

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
        explained = (
            live is None
            or live.empty
            or (self.latest is not None and self.latest.revision == live.revision)
        )
        digits_ready = len(self.top) >= len(self.pictures) > 0
        return explained and (self.pages.currentIndex() != _LAYERS_PAGE or digits_ready)

    def shutdown(self) -> None:
        """Stop the replay and join the explanation thread (the window is closing)."""
        self.history_box.replay.stop()
        self._timer.stop()
        self.explainer.stop()

    # ---------------------------------------------------------------- replay

    @property
    def replaying(self) -> bool:
        """The drawing is being replayed on the canvas."""
        return self.history_box.replaying

    def toggle_replay(self) -> None:
        """Replay the drawing stroke by stroke, or stop the replay playing."""
        self.history_box.toggle_replay()

    # ---------------------------------------------------------------- requests

    def set_target(self, digit: int | None) -> None:
        """Explain ``digit`` (None: each model's own answer)."""
        self.where.set_target(digit)

    def target_class(self) -> int | None:
        """The class explained, or None for each model's own answer."""
        return self.where.target_class()

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
        if self.latest is None:  # the maps are blank: the first answer is on its way
            self.where.show_pending()
        self.explainer.worker.submit(
            ExplainRequest(
                result.revision,
                result.preprocessed,
                strokes,
                self.canvas.canvas_size(),
                self.target_class(),
            )
        )

    def _on_model_requested(self, name: str, model) -> None:
        """A new live model: explain with the same (a path, or a copy made here)."""
        from digitlab.model.nets.inference import copy_for_thread

        self._replaced.add(name)
        self.explainer.worker.set_model(name, copy_for_thread(model))

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
        if self.active and self.pages.currentIndex() == _LAYERS_PAGE and self.pictures:
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
        self.layers.set_pictures(info.name, info.mosaics)
        self.fields.set_fields(info.name, info.fields)
        self._want_top()

    def _on_top(self, name: str, top: dict) -> None:
        self.layers.set_top(name, top)

    def _on_digits(self, digits: np.ndarray) -> None:
        self.layers.set_digits(digits)

    def _on_failed(self, message: str) -> None:
        self.where.show_failure(message)

    def _show_empty(self, result) -> None:
        self.where.show_empty(self._other_live_note())
        self.steps.show_steps(result.preprocessed, None)
        self.history_box.show_history({})
        self.latest = None
        if self.draw_overlay is not None:
            self.draw_overlay.show_explanation(None)

    def _on_explained(self, ex: Explanation) -> None:
        live = self._live_result
        if live is not None and (live.empty or ex.revision < self._submitted_revision):
            return  # the canvas was cleared, or a newer drawing is on its way
        self.latest = ex
        self.where.show_explanation(ex, self._other_live_note())
        self.steps.show_steps(ex.preprocessed, ex.raw)
        self.history_box.show_history(ex.history)
        if self.draw_overlay is not None:
            self.draw_overlay.show_explanation(ex)
        self.explanation_shown.emit(ex.revision)

    def _other_live_note(self) -> str:
        return OTHER_LIVE_NOTE if self._other_live else ""
