"""The app's live models: the latest drawing wins, stale work is dropped.

:class:`LiveModels` is the facade the window and the tabs talk to. It owns one long-lived
inference thread (a :class:`digitlab.app.threads.WorkerThread` running an
:class:`digitlab.app.live.inference_worker.InferenceWorker`), which loads the models.

While NumPy runs the live models (the bundled pair, and any model of the seed layer types),
a drawing is answered right here, in the window's thread, as it changes: preprocessed with
the one path (:func:`digitlab.model.preprocess.strokes.strokes_to_input`), run through a
frozen copy of the models (:class:`digitlab.model.nets.live_answer.LiveSnapshot`, sent by the
worker with every change of models) and shown, each layer's activation mosaic built (while
another tab covers the maps, answers skip the mosaics: nobody could see them). That takes
about 3 ms a pen move; handing the drawing to a thread and back cost another 2 ms of
wake-ups, and the two threads' turns at the GIL doubled the preprocessing
(``benchmarks/live_latency.py``). The answer waits until the events queued meanwhile are
handled, so pen moves that pile up in a slow moment get one answer, never a backlog.

While TensorFlow runs them (a model with a layer NumPy does not know), the GUI thread posts
the drawing into the worker's one-slot mailbox instead; the thread wakes, takes the newest
drawing, answers it the same way and posts the result back. A ready 28x28 input (a dropped
picture) is answered the same way as a drawing; the Number mode's readings (a search over
the pieces, tens of milliseconds) always go to the thread. Model swaps (the training tab)
go through an ordered queue that is never dropped; :meth:`LiveModels.show_models` replaces
the whole set through it, e.g. one model trained on your own image classes. Batch
classifications (e.g. the accuracy on the user's own samples) queue the same way. While a
training run trains, drawings are answered a few times a second (:mod:`.answer_pace`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from digitlab.app.live.answer_pace import AnswerPace
from digitlab.app.live.inference_worker import InferenceWorker
from digitlab.app.live.tensorflow_loader import TensorFlowLoader
from digitlab.app.threads import WorkerThread
from digitlab.model.nets.describe import DIGIT_MODELS, ModelInfo
from digitlab.model.nets.live_answer import EMPTY_INPUT, LiveResult, LiveSnapshot
from digitlab.model.nets.live_source import bundled_label, source_of
from digitlab.model.preprocess.frame import Preprocessed
from digitlab.model.preprocess.strokes import Stroke
from digitlab.model.segment.live_number import NumberResult
from digitlab.model.segment.reading import NumberReading

LOADER_DELAY_MS = 1000
"""How long after the models are ready TensorFlow starts loading in the background."""
GIL_SWITCH_INTERVAL_S = 0.001
"""How often Python threads hand over the GIL while the inference thread runs."""


class LiveModels(QObject):
    """The app's live models: owns the inference thread and its worker.

    Call :meth:`request` with the canvas's drawing whenever it changes; :attr:`result` follows
    for the newest drawing (an empty drawing answers at once, asking no model). The training
    tab calls :meth:`set_model` to show a newly trained model live.

    Parameters
    ----------
    core_factory : builds the :class:`digitlab.model.nets.inference.InferenceCore` in the
        inference thread (default: the bundled models). Tests pass one that returns a shared
        core.
    """

    # Models are loaded: dict name -> ModelInfo (layers, params, colour scales).
    models_ready = Signal(object)
    # A model was replaced with set_model: ModelInfo.
    model_changed = Signal(object)
    # The answer for the newest drawing: LiveResult.
    result = Signal(object)
    # The answer for the newest drawing of the Number mode: NumberResult.
    number_result = Signal(object)
    # A status line for the user ("loading models", errors).
    status = Signal(str)
    # A model swap finished: (name, error message or "").
    model_set = Signal(str, str)
    # Something went wrong in the inference thread: a message.
    errored = Signal(str)
    # set_model was called: (name, the model or path given), for other model users (Explain).
    model_requested = Signal(str, object)
    # Internal: answer the drawing waiting here (queued: after the events waiting now).
    _answer_soon = Signal()
    # Internal: a swap finished in the inference thread, (name, error or "").
    _swapped = Signal(str, str)
    # TensorFlow is imported (the Train tab, Grad-CAM and fine-tuning can be built cheaply).
    tensorflow_ready = Signal()
    # A batch asked with classify_batch was answered: (token, {name: float32 (n, classes)}
    # or None, error message or "").
    batch_classified = Signal(object, object, str)
    # What is live changed: dict name -> the model list's label of the model it holds.
    sources_changed = Signal(object)

    def __init__(
        self, core_factory: Callable[[], object] | None = None, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.ready = False
        self.infos: dict[str, ModelInfo] = {}
        self.latest: LiveResult | None = None
        self._snapshot: LiveSnapshot | None = None  # None: the worker answers drawings
        self._runs_here = 0
        self._waiting: Callable[[np.ndarray | None], LiveResult] | None = None
        self._answer_posted = False
        self._answer_soon.connect(self._on_answer_soon, Qt.ConnectionType.QueuedConnection)
        self._shown_revision = -1
        self._requested_revision = -1
        self._pace, self._number_pace = AnswerPace(parent=self), AnswerPace(parent=self)
        # The model names queued last (changes at once, unlike ``infos``).
        self._queued_names: tuple[str, ...] = DIGIT_MODELS
        self.worker = InferenceWorker(core_factory)
        self._owner = WorkerThread(self.worker, self, "digitlab-inference")
        # TensorFlow loads in a thread of its own once the models answer (see
        # digitlab.app.live.tensorflow_loader): neither the GUI nor the answers wait for it.
        self.tensorflow_loaded = False
        self._loader = WorkerThread(TensorFlowLoader(), self, "digitlab-tensorflow")
        self._loader.worker.loaded.connect(self._on_tensorflow_loaded)
        self._loader.worker.failed.connect(self.errored)
        self.worker.snapshot.connect(self._on_snapshot)
        self.worker.models_ready.connect(self._on_models_ready)
        self.worker.model_changed.connect(self._on_model_changed)
        self.worker.result.connect(self._show)
        self.worker.number_result.connect(self._show_number)
        self._number_shown_revision = -1
        self.worker.status.connect(self.status)
        self.worker.failed.connect(self.errored)
        # Which model each name holds, in words (the model list's labels), and the words
        # for each swap not yet done, in order: swap key -> [(sources, replace all)].
        self.sources: dict[str, str] = {n: bundled_label(n) for n in DIGIT_MODELS}
        self._pending_sources: dict[str, list[tuple[dict[str, str], bool]]] = {}
        # The model asked for under each name since the last whole set (follow_models).
        self._requested: dict[str, object] = {}
        self._swapped.connect(self._on_swapped)  # first: model_set's listeners read sources
        self._swapped.connect(self.model_set)

    def start(self) -> None:
        """Start the inference thread (it loads the models first)."""
        # The GUI thread and the inference thread share the GIL; with Python's default 5 ms
        # switch interval a paint or a mouse move can wait that long for it while a drawing
        # is preprocessed. 1 ms keeps both sides moving (process-wide, harmless elsewhere).
        if sys.getswitchinterval() > GIL_SWITCH_INTERVAL_S:
            sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        self._owner.start()

    def stop(self) -> bool:
        """Stop the inference thread and join it within
        :data:`digitlab.app.threads.STOP_TIMEOUT_MS` (a model load cannot be interrupted: a
        thread still loading is left to end, and joined at exit); True if it ended. Safe to
        call twice, or before :meth:`start`."""
        ended = self._owner.stop()
        return self._loader.stop() and ended

    def is_finished(self) -> bool:
        """The inference thread ran and has ended."""
        return self._owner.is_finished()

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(self.infos)

    @property
    def runs(self) -> int:
        """How many drawings and inputs went to the models, here and in the worker (an
        empty drawing never does)."""
        return self._runs_here + self.worker.runs

    def follow_models(
        self,
        on_model_requested: Callable[[str, object], None],
        on_models_ready: Callable[[dict], None],
    ) -> None:
        """Call ``on_models_ready(infos)`` for each whole live set and
        ``on_model_requested(name, model)`` for each model put live (:attr:`models_ready`,
        :attr:`model_requested`), from now on and at once for what is live already: the set,
        then each model asked for under a name since (a Keras model or a ``.keras`` path, as
        given). A view made later than those calls (a tab built after the first answer)
        follows them as if it had been there."""
        self.model_requested.connect(on_model_requested)
        self.models_ready.connect(on_models_ready)
        if self.ready:
            on_models_ready(dict(self.infos))
        for name, model in list(self._requested.items()):
            on_model_requested(name, model)

    def request(
        self, revision: int, strokes: Sequence[Stroke], canvas: tuple[float, float]
    ) -> None:
        """Answer this drawing (replacing any drawing not yet answered); while a training run
        trains, at most a few times a second (:meth:`pace_answers`)."""
        self._requested_revision = revision
        if not any(not s.erase for s in strokes):
            # Nothing drawn: answer at once, ask no model, and drop any pending drawing.
            self._drop_pending()
            self._show(LiveResult(revision, EMPTY_INPUT))
            return
        self._pace.submit(
            lambda: self._route(
                lambda snapshot, lut: snapshot.answer_drawing(revision, strokes, canvas, lut),
                lambda: self.worker.submit(revision, strokes, canvas),
            )
        )

    def request_input(self, revision: int, preprocessed: Preprocessed) -> None:
        """Answer a ready 28x28 input (a dropped picture) under ``revision``; the latest
        request, drawing or input, wins."""
        self._requested_revision = revision
        if preprocessed.empty:
            self._drop_pending()
            self._show(LiveResult(revision, preprocessed))
            return
        self._pace.drop()
        self._route(
            lambda snapshot, lut: snapshot.answer_input(revision, preprocessed, lut),
            lambda: self.worker.submit_input(revision, preprocessed),
        )

    def pace_answers(self, paced: bool) -> None:
        """While ``paced`` (a training run trains), drawings and numbers are answered at most
        once per :data:`digitlab.app.live.answer_pace.PACED_INTERVAL_MS`, the newest last."""
        self._pace.set_paced(paced)
        self._number_pace.set_paced(paced)

    def _route(self, answer: Callable, submit: Callable[[], None]) -> None:
        """``answer(snapshot, lut)`` here when NumPy runs the models and the maps can be seen:
        someone watches the pen. Else ``submit()`` to the inference thread (nobody waits for
        it, and this thread stays free, e.g. for a training run's curves)."""
        snapshot = self._snapshot
        if snapshot is not None and self.worker.maps_wanted:
            self._answer_here(lambda lut: answer(snapshot, lut))
        else:
            submit()

    def _answer_here(self, answer: Callable[[np.ndarray | None], LiveResult]) -> None:
        """Answer with ``answer(lut)`` in this thread once the events waiting now are handled:
        the pen moves queued meanwhile (the canvas takes every one) get one answer, for the
        newest drawing. It comes before the window repaints (Qt posts repaints at low
        priority), so the ink and its answer appear in the same frame."""
        self._drop_pending()  # e.g. a picture still waiting in the worker
        self._waiting = answer
        if not self._answer_posted:
            self._answer_posted = True
            self._answer_soon.emit()

    @Slot()
    def _on_answer_soon(self) -> None:
        self._answer_posted = False
        answer, self._waiting = self._waiting, None
        if answer is None:
            return
        try:
            result = answer(self.worker.maps_lut())
        except Exception as exc:  # reported as the worker reports its own; views keep the last
            self.errored.emit(f"{self.worker.serve_error}: {exc}")
            return
        self._runs_here += not result.empty
        self._show(result)

    def request_number(
        self,
        revision: int,
        strokes: Sequence[Stroke],
        canvas: tuple[float, float],
        selected: int | None = None,
    ) -> None:
        """Read this drawing as a whole number (the Number mode's canvas has revisions of
        its own), detailing digit ``selected`` (None: the last); the latest request wins."""
        if not any(not s.erase for s in strokes):
            self._drop_pending()
            self._show_number(
                NumberResult(revision, tuple(canvas), NumberReading(self.model_names))
            )
            return
        self._number_pace.submit(
            lambda: self.worker.submit_number(revision, strokes, canvas, selected)
        )

    def set_model(self, name: str, model, source: str = "") -> None:
        """Show ``model`` (a Keras model or a ``.keras`` path) live under ``name``.

        The inference thread copies it; :attr:`model_set` reports when done (or why not).
        ``source`` names it in words (the model list's label; by default the file's name,
        or "Bundled CNN" for the bundled file): :attr:`sources` holds it once it is live.
        """
        if name not in self._queued_names and name in DIGIT_MODELS:
            # Another model set is live (your own classes): bring the digit pair back first.
            self.restore_digit_models()
        self._pending_sources.setdefault(name, []).append(
            ({name: source or source_of(name, model)}, False)
        )
        self._requested[name] = model
        self.model_requested.emit(name, model)
        self.worker.set_model(name, model, lambda error, n=name: self._swapped.emit(n, error or ""))

    def show_models(
        self,
        models: dict,
        class_names: dict[str, tuple[str, ...]] | None = None,
        sources: dict[str, str] | None = None,
    ) -> None:
        """Replace the whole live set, e.g. ``{"custom": model}`` with its class names.

        :attr:`models_ready` follows with the new set (the views lay themselves out again);
        :attr:`model_set` reports the names (joined by ", ") when done, or why not; on an
        error the models live before stay live. ``sources`` names each model in words (see
        :meth:`set_model`).
        """
        self._queued_names = tuple(models)
        self._requested.clear()
        label = ", ".join(models)
        named = {n: (sources or {}).get(n) or source_of(n, m) for n, m in models.items()}
        self._pending_sources.setdefault(label, []).append((named, True))
        self.worker.replace_models(
            models, class_names or {}, lambda error: self._swapped.emit(label, error or "")
        )

    def restore_digit_models(self) -> None:
        """Show the bundled CNN and dense digit models again."""
        from digitlab.model.data.bundled import bundled_model_path

        self.show_models({name: bundled_model_path(name) for name in DIGIT_MODELS})

    def set_maps_wanted(self, wanted: bool) -> None:
        """Whether answers should come with activation mosaics (False while nobody can see
        them; any view that shows such an answer later builds the mosaics itself; such
        answers come from the inference thread)."""
        self.worker.maps_wanted = bool(wanted)

    def classify_batch(self, token, make_inputs: Callable[[], np.ndarray]) -> None:
        """Run every live model on a batch in the inference thread, after any model swap
        already asked for; :attr:`batch_classified` answers with ``token``. ``make_inputs``
        runs in that thread too (preprocessing included) and returns float32 ``(n, 28, 28)``."""
        self.worker.classify(
            make_inputs,
            lambda probabilities, error, t=token: self.batch_classified.emit(
                t, probabilities, error or ""
            ),
        )

    def _drop_pending(self) -> None:
        self._waiting = None
        self._pace.drop()
        self._number_pace.drop()
        self.worker.drop_pending()

    @Slot(object)
    def _show(self, result: LiveResult) -> None:
        if result.revision < self._shown_revision:
            return  # an older drawing finished after a newer one was shown
        self._shown_revision = result.revision
        self.latest = result
        self.result.emit(result)

    @Slot(str, str)
    def _on_swapped(self, key: str, error: str) -> None:
        waiting = self._pending_sources.get(key)
        if not waiting:
            return
        sources, replace = waiting.pop(0)
        if error:
            return  # what was live stays live, and keeps its name
        self.sources = dict(sources) if replace else {**self.sources, **sources}
        self.sources_changed.emit(dict(self.sources))

    @Slot(object)
    def _on_snapshot(self, snapshot: LiveSnapshot | None) -> None:
        self._snapshot = snapshot

    @Slot(object)
    def _show_number(self, result: NumberResult) -> None:
        if result.revision < self._number_shown_revision:
            return  # an older drawing finished after a newer one was shown
        self._number_shown_revision = result.revision
        self.number_result.emit(result)

    @Slot(object)
    def _on_models_ready(self, infos) -> None:
        self.infos = dict(infos)
        self.ready = True
        self.models_ready.emit(dict(infos))
        # TensorFlow's import holds the GIL for long stretches (the window's own thread then
        # waits for it): it starts once the first answer, its maps and the tabs built after it
        # are on screen. Started once; a second start does nothing.
        QTimer.singleShot(LOADER_DELAY_MS, self._loader.start)

    @Slot()
    def _on_tensorflow_loaded(self) -> None:
        self.tensorflow_loaded = True
        self.tensorflow_ready.emit()

    @Slot(object)
    def _on_model_changed(self, info) -> None:
        self.infos[info.name] = info
        self.model_changed.emit(info)
