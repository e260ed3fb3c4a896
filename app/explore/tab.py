"""The "Explore" tab: where your drawing lands among 10,000 MNIST digits, push it, fool it.

Wires the map and the pages to the live models and the Explore thread (:mod:`.worker`).
The star is placed from the live answer's activations (no model runs here); the rest runs in
the Explore thread, at most :data:`MAX_RATE_HZ` times a second (the "push it" curves once
the pen rests), only while the tab is shown.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.explore.break_page import BreakPage
from digitlab.app.explore.drawing_strip import DrawingStrip
from digitlab.app.explore.dream_page import DreamPage
from digitlab.app.explore.follow import ModelFollower
from digitlab.app.explore.fool_page import FoolPage
from digitlab.app.explore.like_yours import LikeYoursPage
from digitlab.app.explore.map_view import MapView, legend_html
from digitlab.app.explore.push_page import PushPage
from digitlab.app.explore.slow_pages import BREAK_PAGE, SlowPages
from digitlab.app.explore.worker import ExploreRequest, ExploreThread
from digitlab.app.live.live_models import LiveModels
from digitlab.app.widgets.layout import stretch_splitter
from digitlab.app.widgets.styles import HINT_STYLE
from digitlab.model.explore.embedding import MAP_LAYERS, METHODS, EmbeddingMap, layer_title
from digitlab.model.nets.wording import model_title

MAX_RATE_HZ = 8.0
"""Requests per second at most while drawing."""
METHOD_TITLES = {"lda": "classes apart (LDA)", "pca": "most variance (PCA)"}
PUSH_PAGE = 1
PUSH_QUIET_MS = 150
"""On "Push it" a drawing is sent once the pen has rested this long: its curves (186 inputs,
0.15 s of NumPy) would be out of date before shown and would slow the live view."""
NOT_DIGITS_NOTE = "Another model set is live (not the digit models): Explore shows the digits."


def _cache_dir():
    from digitlab.app.storage import app_data_dir

    path = app_data_dir() / "explore"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ExploreTab(QWidget):
    """Explore the models on your drawing (see the module docstring).

    Parameters
    ----------
    live : the window's live models (their answers place the drawing; models put live are
        explored too).
    explore_thread : the Explore thread (default: a new one on the bundled models).
    canvas : the Draw tab's canvas, lent to this tab while it is on screen (None: none).

    Public for tests and the self-test: :attr:`map` (:class:`MapView`), :attr:`layer`,
    :attr:`method`, :attr:`misread_toggle`, :attr:`status`, :attr:`pages` with
    :attr:`like_yours`, :attr:`push`, :attr:`fool`; :attr:`maps` model -> EmbeddingMap.
    """

    answer_shown = Signal(int)  # the newest drawing's neighbours or curves shown: its revision
    map_shown = Signal(str, str)  # a map is on screen: (model, layer)
    fool_shown = Signal(int)  # "fool it" results are on screen: the target
    accuracy_shown = Signal()  # a broken model's accuracy is on screen
    dream_shown = Signal()  # a unit's dream is on screen

    def __init__(
        self,
        live: LiveModels,
        explore_thread: ExploreThread | None = None,
        parent=None,
        canvas=None,
    ):
        super().__init__(parent)
        self.live = live
        self.canvas = canvas
        self.explorer = explore_thread or ExploreThread(cache_dir=_cache_dir, parent=self)
        w = self.explorer.worker
        w.map_ready.connect(self._on_map)
        w.neighbours_ready.connect(self._on_neighbours_ready)
        w.progress.connect(self._on_progress)
        w.answered.connect(self._on_answered)
        w.model_changed.connect(self._on_model_changed)
        w.digits_ready.connect(self._on_digits)
        w.failed.connect(self._on_failed)
        live.result.connect(self._on_live_result)
        self.follower = ModelFollower(live, w, self._on_failed, self)
        self.maps: dict[str, EmbeddingMap] = {}
        self._indexed: set[str] = set()
        self._live_result = live.latest  # built after the first answer: it has one
        self._predicted: np.ndarray | None = None
        self._last_submit = 0.0
        self.latest_answer = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._submit)
        self._build()
        self.slow_pages = SlowPages(self)

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        self.layer = QComboBox()
        for model, layers in MAP_LAYERS.items():
            for layer in layers:
                self.layer.addItem(layer_title(model, layer), f"{model}/{layer}")
        self.method = QComboBox()
        for m in METHODS:
            self.method.addItem(METHOD_TITLES[m], m)
        self.misread_toggle = QCheckBox("Ring misread digits")
        self.layer.setToolTip("The layer whose activations place the 10,000 test digits")
        self.method.setToolTip("How the layer's activations are flattened onto the map")
        self.misread_toggle.setToolTip("Ring the test digits the model reads wrong")
        self.status = QLabel("The map is made when this tab is first shown.")
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setWordWrap(True)
        # The choosers may narrow (a 1024-px window): they share the row's spare width.
        for combo in (self.layer, self.method):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Layer"))
        controls.addWidget(self.layer, 1)
        controls.addWidget(QLabel("Map"))
        controls.addWidget(self.method, 1)
        controls.addWidget(self.misread_toggle)
        self.map = MapView()
        self.map.hovered.connect(self._on_hovered)
        self.strip = DrawingStrip()
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(controls)
        col.addWidget(QLabel(legend_html()))
        col.addWidget(self.map, 1)
        col.addWidget(self.status)
        col.addWidget(self.strip)

        self.like_yours, self.push, self.fool = LikeYoursPage(), PushPage(), FoolPage()
        self.breaking, self.dreams = BreakPage(), DreamPage()
        self.pages = QTabWidget()
        titles = ("Like yours", "Push it", "Fool it", "Break it", "What a unit wants")
        pages = (self.like_yours, self.push, self.fool, self.breaking, self.dreams)
        for page, title in zip(pages, titles, strict=True):
            self.pages.addTab(page, title)
        self.pages.currentChanged.connect(lambda _: (self.map.set_pushed(None), self._resubmit()))
        self.push.changed.connect(lambda _: self._resubmit())
        self.layer.currentIndexChanged.connect(lambda _: self._on_layer_changed())
        self.method.currentIndexChanged.connect(lambda _: self._show_map())
        self.misread_toggle.toggled.connect(self.map.show_misread)

        split = stretch_splitter(Qt.Orientation.Horizontal, (left, 5), (self.pages, 4))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)

    def selected(self) -> tuple[str, str]:
        """``(model, layer)`` of the map shown."""
        model, layer = self.layer.currentData().split("/")
        return model, layer

    def select(self, model: str, layer: str, method: str | None = None) -> None:
        """Show ``model``'s ``layer`` (and ``method``: "lda" or "pca")."""
        self.layer.setCurrentIndex(self.layer.findData(f"{model}/{layer}"))
        if method is not None:
            self.method.setCurrentIndex(self.method.findData(method))

    # ---------------------------------------------------------------- lifecycle

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.canvas is not None:
            self.strip.slot.borrow(self.canvas)
        self.explorer.worker.set_shown(True)
        self.explorer.start()
        self._place_drawing()
        self._want_map()
        self._resubmit()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.strip.slot.give_back()
        self.explorer.worker.set_shown(False)
        self._timer.stop()
        self.explorer.worker.drop_pending()

    def shutdown(self) -> None:
        """Join the Explore thread (the window is closing)."""
        self._timer.stop()
        self.explorer.stop()

    def screenshot_ready(self) -> bool:
        """The map is shown and the newest drawing's neighbours are in."""
        model, _ = self.selected()
        live, answer = self._live_result, self.latest_answer
        answered = (
            live is None
            or live.empty
            or (
                answer is not None
                and answer.revision == live.revision
                and answer.layer == self.selected()
                and answer.neighbours is not None
            )
        )
        return model in self.maps and model in self._indexed and answered

    # ---------------------------------------------------------------- maps

    def _want_map(self) -> None:
        model, _ = self.selected()
        if model not in self.maps and self.explorer.started:
            self.status.setText(f"Placing the 10,000 MNIST test digits for the {model} map…")
            self.explorer.worker.request_map(model)

    def _on_layer_changed(self) -> None:
        self._show_map()
        self._want_map()
        self._resubmit()

    def _on_map(self, emap: EmbeddingMap) -> None:
        self.maps[emap.model] = emap
        self._show_map()

    def _show_map(self) -> None:
        model, layer = self.selected()
        emap = self.maps.get(model)
        if emap is None or layer not in emap.layers:
            self.map.clear_points()
            self.map.set_drawing(None)
            return
        method = self.method.currentData()
        self.map.set_points(emap.layers[layer].coords[method], emap.labels, emap.misread)
        self._predicted = emap.predicted
        wrong = int(emap.misread.sum())
        self.status.setText(
            f"{layer_title(model, layer)}: 10,000 MNIST test digits, {method.upper()} of the "
            f"layer's activations; {wrong} of them misread by this model. The star is your "
            "drawing." + (f" {NOT_DIGITS_NOTE}" if self.follower.other_live else "")
        )
        self._place_drawing()
        self.map_shown.emit(model, layer)

    def _on_progress(self, model: str, what: str, fraction: float) -> None:
        if what == "map":
            title = model_title(model)
            self.status.setText(f"Mapping the {title}'s layers: {fraction:.0%} of 10,000 digits…")
        elif model == self.selected()[0]:
            self.like_yours.neighbours_label.setText(
                f"Finding the nearest of 60,000 training digits: {fraction:.0%} read…"
            )

    def _on_neighbours_ready(self, model: str, _index) -> None:
        self._indexed.add(model)
        self._resubmit()

    def _on_digits(self, data) -> None:
        self.like_yours.set_digits(data.x_train, data.y_train)
        self.strip.set_digits(data.x_test)
        self.dreams.set_digits(data.x_test)

    def _on_hovered(self, index: int) -> None:
        emap = self.maps.get(self.selected()[0])
        if index < 0 or emap is None:
            return
        self.strip.show_hovered(index, int(emap.labels[index]), int(emap.predicted[index]))

    # ---------------------------------------------------------------- the drawing

    def _on_live_result(self, result) -> None:
        self._live_result = result
        if not self.isVisible():
            return  # placed when the tab is shown: no work per pen move for a hidden map
        self._place_drawing()
        if self.pages.currentIndex() == PUSH_PAGE and not result.empty:
            self._timer.start(PUSH_QUIET_MS)  # restarted by every move: sent when it rests
        else:
            self._schedule()

    def _place_drawing(self) -> None:
        """The star at the drawing's activation, projected with the map's own matrices."""
        result, (model, layer) = self._live_result, self.selected()
        emap = self.maps.get(model)
        act = None if result is None else result.activations.get(model, {}).get(layer)
        if emap is None or act is None or result.empty or layer not in emap.layers:
            self.map.set_drawing(None)
            return
        xy = emap.layers[layer].place(act, self.method.currentData())
        self.map.set_drawing((float(xy[0]), float(xy[1])))

    @property
    def live_result(self):
        """The newest live answer (a LiveResult), or None."""
        return self._live_result

    def resubmit(self) -> None:
        """Ask again for the current drawing (a page's settings changed)."""
        self._resubmit()

    def _place_pushed(self, answer) -> None:
        """The white star where the pushed input lands (only while it differs)."""
        model, layer = self.selected()
        emap, act = self.maps.get(model), answer.pushed_activation
        moved = answer.pushed is not None and self.push.settings().moved
        if emap is None or act is None or not moved or answer.layer != (model, layer):
            self.map.set_pushed(None)
            return
        xy = emap.layers[layer].place(act, self.method.currentData())
        self.map.set_pushed((float(xy[0]), float(xy[1])))

    def _resubmit(self) -> None:
        self._last_submit = 0.0
        self._schedule()

    def _schedule(self) -> None:
        if self._live_result is None or not self.isVisible():
            return
        wait = self._last_submit + 1.0 / MAX_RATE_HZ - time.perf_counter()
        if wait <= 0:
            self._submit()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _submit(self) -> None:
        result = self._live_result
        if result is None or not self.isVisible():
            return
        if result.empty or not result.activations:
            self.like_yours.show_neighbours(None, "", "Draw a digit under the map.")
            self.push.clear("Draw a digit (under the map), then move a slider.")
            return
        self._last_submit = time.perf_counter()
        page, pre = self.pages.currentIndex(), result.preprocessed
        breaking = self.breaking
        self.explorer.worker.submit(
            ExploreRequest(
                result.revision,
                pre.image,
                pre.cropped,
                result.activations,
                self.selected(),
                self.push.settings() if page == PUSH_PAGE else None,
                (breaking.breakage(), breaking.selected()) if page == BREAK_PAGE else None,
            )
        )

    def _on_answered(self, answer) -> None:
        live = self._live_result
        if live is None or live.empty or answer.revision < live.revision:
            return  # cleared, or a newer drawing is on its way
        self.latest_answer = answer
        if answer.layer == self.selected():
            title = layer_title(*answer.layer)
            if answer.neighbours is not None:
                self.like_yours.show_neighbours(answer.neighbours, title)
            elif answer.layer[0] not in self._indexed:
                self.like_yours.show_neighbours(None, title, "Reading the training digits…")
        if answer.pushed is not None:
            self.push.show_result(answer.pushed)
        self._place_pushed(answer)
        if answer.broken is not None:
            self.breaking.show_answer(answer.broken)
        self.answer_shown.emit(answer.revision)

    def ask_fool(self, target: int) -> None:
        """Fool both models into reading ``target`` on the current drawing."""
        self.slow_pages.ask_fool(target)

    @property
    def latest_fool(self):
        """The last "fool it" result shown (:class:`~digitlab.model.explore.adversarial.
        FoolResult`), or None."""
        return self.slow_pages.latest_fool

    def _on_model_changed(self, name: str) -> None:
        self.maps.pop(name, None)
        self._indexed.discard(name)
        self._show_map()
        if self.isVisible():
            self._want_map()

    def _on_failed(self, message: str) -> None:
        self.status.setText(message.splitlines()[0])
