"""The main window: builds the tabs, wires the canvas to the live models, nothing more.

TensorFlow is not imported here: the window is shown first, the inference thread reads the
models into NumPy, TensorFlow loads in the background (:mod:`digitlab.app.live.live_models`).
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from digitlab.app import threads
from digitlab.app.draw.tab import DrawTab
from digitlab.app.explain.draw_overlay import DrawOverlay
from digitlab.app.handwriting.correction_row import CorrectionRow
from digitlab.app.handwriting.samples import PersonalSamples
from digitlab.app.handwriting.tab import HandwritingTab
from digitlab.app.live.live_models import LiveModels
from digitlab.app.live.remembered import RememberedLive
from digitlab.app.model_info.tab import ABOUT_HTML, ModelTab
from digitlab.app.widgets.help_dialog import help_actions
from digitlab.app.widgets.late_tabs import LateTabs
from digitlab.app.widgets.quit_question import may_quit
from digitlab.app.widgets.status_line import StatusLine
from digitlab.app.widgets.tab_keys import tab_actions
from digitlab.app.widgets.theme import Theme, theme_actions
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.nets.describe import reads_digits
from digitlab.model.nets.live_answer import LiveResult
from digitlab.model.nets.wording import model_title
from digitlab.model.preprocess.frame import Preprocessed, PreprocessError
from digitlab.model.preprocess.pictures import image_to_input

if TYPE_CHECKING:
    from digitlab.app.explain.tab import ExplainTab
    from digitlab.app.explore.tab import ExploreTab

WINDOW_TITLE = "Digit Lab"
MAPS_LAYOUT_MS, MAPS_AFTER_ANSWER_MS = 250, 30
"""When the models are ready, the activation maps are laid out just after their first answer
is painted, or MAPS_LAYOUT_MS after, whichever comes first."""
LATE_TAB_QUIET_MS = 300
"""Once the first answer is shown, the tabs not built yet are built one at a time, each when
the window has had no answer to show for this long (the pen rests)."""


class MainWindow(QMainWindow):
    """Digit Lab's window: a "Draw" tab, a "Model" tab and any tab added with :meth:`add_tab`.

    Parameters
    ----------
    live_models : the models to ask (default: a new :class:`LiveModels` on the bundled models).
        The window starts it when first shown and stops it when closed.
    with_training : add the "Train" tab when :mod:`digitlab.app.training.tab` is available.
    personal_samples : the user's saved drawings (default: the per-user data folder's).
    remembered : the digit models put live last time, put live again once the bundled ones
        answer (default: those of the per-user data folder).
    theme : light or dark (default: the saved choice, or the system's colour scheme).
    """

    def __init__(
        self,
        live_models: LiveModels | None = None,
        with_training: bool = True,
        parent: QWidget | None = None,
        personal_samples: PersonalSamples | None = None,
        remembered: RememberedLive | None = None,
        theme: Theme | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self.live = live_models or LiveModels(parent=self)
        self.remembered = remembered or RememberedLive(self.live, parent=self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        # Explain, Explore and Train are built after the first answer (see LateTabs).
        self.late_tabs = LateTabs(self.tabs, self)
        self.draw_tab = DrawTab()
        self.draw_tab.attach_live(self.live)  # the Number mode reads through the live models
        self.model_tab = ModelTab()
        self.add_tab(self.draw_tab, "Draw")
        self.late_tabs.add("Explain", self._make_explain_tab)
        # The Draw tab's "where it looked" controls: in place now, served by Explain's thread.
        self.draw_overlay = DrawOverlay(self.draw_tab.input_view)
        self.draw_overlay.changed.connect(lambda: self.late_tabs.build("Explain"))  # if not yet
        self.draw_tab.probabilities.class_clicked.connect(
            lambda digit: self.explain_tab.set_target(digit)
        )
        self.late_tabs.add("Explore", self._make_explore_tab)
        self._late_timer = QTimer(self)
        self._late_timer.setSingleShot(True)
        self._late_timer.timeout.connect(self._build_late_tab)
        self._maps_pending = False  # the live set's maps are not laid out yet
        self._train_index: int | None = None
        if with_training:
            self._add_training_tab()
        self.personal = (
            personal_samples if personal_samples is not None else PersonalSamples(parent=self)
        )
        self.correction = CorrectionRow(self.draw_tab.canvas, self.personal)
        self.draw_tab.canvas_column.insertWidget(2, self.correction)
        self.handwriting_tab = HandwritingTab(self.personal, self.live)
        self.add_tab(self.handwriting_tab, "My handwriting")
        self.add_tab(self.model_tab, "Model")
        self._build_menus()
        self._build_status_bar()
        self.remembered.reported.connect(self.status_label.setText)
        self._remembered_asked = False

        canvas = self.draw_tab.canvas
        canvas.strokes_changed.connect(self._on_strokes_changed)
        canvas.file_dropped.connect(self.open_picture)
        # The dropped picture being shown: (canvas revision, model input), until the next change.
        self._picture: tuple[int, Preprocessed] | None = None
        self.live.result.connect(self._on_result)
        self.live.models_ready.connect(self._on_models_ready)
        self.live.model_changed.connect(self._on_model_changed)
        self.live.errored.connect(self._on_error)
        self.live.model_set.connect(self._on_model_set)
        self.live.tensorflow_ready.connect(self._train_tab_when_ready)
        self.live.sources_changed.connect(self._show_sources)
        self._show_sources(self.live.sources)
        # Only the Draw tab shows activation maps: while it is covered, answers skip them.
        self.draw_tab.covered_changed.connect(
            lambda covered: self.live.set_maps_wanted(not covered)
        )
        self._started = False
        self.resize(1280, 800)
        # Last: the theme swaps the colours of everything built above (see widgets/theme.py).
        self.theme = theme or Theme(parent=self)
        self.theme.changed.connect(self._on_theme_changed)
        self.late_tabs.built.connect(lambda *_: self.theme.refresh())  # new widgets: themed
        self.view_menu.addActions(theme_actions(self.theme, self))

    # ---------------------------------------------------------------- construction

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab (features such as training plug in here); returns its index."""
        return self.tabs.addTab(widget, title)

    def _add_training_tab(self) -> None:
        """A "Train" tab when :mod:`digitlab.app.training.tab` exists.

        Training imports Keras, which takes seconds; so the tab starts as a placeholder and the
        real one is built once TensorFlow has loaded in the background (then it is cheap).
        """
        if importlib.util.find_spec("digitlab.app.training.tab") is not None:
            self._train_index = self.late_tabs.add(
                "Train",
                self._make_training_tab,
                "The training tools appear as soon as TensorFlow has loaded…",
                when_shown=False,
            )

    @property
    def offers_training(self) -> bool:
        """Whether the window has a "Train" tab (a placeholder until TensorFlow has loaded)."""
        return self._train_index is not None

    @property
    def training_tab(self) -> QWidget | None:
        """The Train tab, once TensorFlow has loaded and it is built (else None)."""
        return self.late_tabs.get("Train")

    @property
    def explain_tab(self) -> ExplainTab:
        """The Explain tab (built now if it was not yet)."""
        return self.late_tabs.build("Explain")

    @property
    def explore_tab(self) -> ExploreTab:
        """The Explore tab (built now if it was not yet)."""
        return self.late_tabs.build("Explore")

    def build_late_tabs(self) -> None:
        """Build every tab that waits for the first answer now (tests, the self-test)."""
        while self.late_tabs.build_next():
            pass

    def _make_explain_tab(self) -> QWidget:
        from digitlab.app.explain.tab import ExplainTab

        tab = ExplainTab(self.live, self.draw_tab.canvas)
        tab.attach_overlay(self.draw_overlay)
        return tab

    def _make_explore_tab(self) -> QWidget:
        from digitlab.app.explore.tab import ExploreTab

        return ExploreTab(self.live, canvas=self.draw_tab.canvas)

    def _make_training_tab(self) -> QWidget:
        from digitlab.app.training.tab import TrainingTab

        tab = TrainingTab(self.live, remembered=self.remembered)
        try:
            from digitlab.app.handwriting.fine_tune_panel import FineTunePanel

            tab.add_fine_tune(FineTunePanel(tab, self.personal))
        except Exception:
            traceback.print_exc()
        return tab

    def _build_late_tab(self) -> None:
        if self.late_tabs.build_next():
            self._late_timer.start(LATE_TAB_QUIET_MS)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(lambda: may_quit(self) and self.close())
        file_menu.addAction(quit_action)
        # The Edit menu lists the shown tab's actions only: a shortcut in a visible menu would
        # act on every tab (Esc clearing the drawing from the Explain tab).
        self.edit_menu = menu.addMenu("&Edit")
        self.tabs.currentChanged.connect(self._fill_edit_menu)
        self._fill_edit_menu()
        self.view_menu = menu.addMenu("&View")  # the theme's actions, once it is applied
        self.view_menu.addActions(tab_actions(self, self.tabs))
        self.view_menu.addSeparator()
        menu.addMenu("&Help").addActions(help_actions(self, self.tabs, ABOUT_HTML))

    def tab_actions(self, tab: QWidget | None) -> tuple[QAction | None, ...]:
        """The actions ``tab`` offers in the Edit menu (None: a separator). Their shortcuts
        are the window's while the tab is shown and never otherwise: each action belongs to
        its tab, and a hidden widget's actions do not fire."""
        if tab is self.draw_tab:
            t = self.draw_tab
            history = (t.undo_action, t.redo_action, t.clear_action)
            modes = (t.digit_action, t.number_action)
            tools = (t.pen_action, t.eraser_action, t.smaller_brush_action, t.larger_brush_action)
            return (*history, None, *tools, None, *modes)
        if tab is getattr(self, "handwriting_tab", None):
            return (self.handwriting_tab.delete_action, self.handwriting_tab.undo_delete_action)
        return ()

    def _fill_edit_menu(self) -> None:
        menu = self.edit_menu
        menu.clear()  # removes, never deletes: the actions belong to their tabs
        for action in self.tab_actions(self.tabs.currentWidget()):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.setEnabled(not menu.isEmpty())

    def _on_theme_changed(self, _dark: bool) -> None:
        if self.live.infos:  # the maps' gaps, the headers and the banner: drawn anew
            self.draw_tab.activations.set_models(self.live.infos)
            self._on_strokes_changed(self.draw_tab.canvas.revision)

    def _build_status_bar(self) -> None:
        self.status_line = StatusLine(self.statusBar())
        line = self.status_line
        self.status_label, self.busy, self.live_label = line.label, line.busy, line.live_label

    def _show_sources(self, sources: dict) -> None:
        self.draw_tab.probabilities.set_sources(sources)
        self.status_line.show_sources(sources)

    # ---------------------------------------------------------------- lifecycle

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            # Let the window paint before the inference thread starts importing TensorFlow.
            QTimer.singleShot(0, self.live.start)

    def closeEvent(self, event) -> None:
        if event.spontaneous() and not may_quit(self):  # the user closed it: ask first
            return event.ignore()
        # Every thread is asked to stop and joined, all within one bound (never terminated):
        # one still busy after it (a model load) is left to end and joined at exit.
        with threads.one_bound(threads.STOP_TIMEOUT_MS):
            for title in ("Train", "Explain", "Explore"):
                tab = self.late_tabs.get(title)
                if tab is not None:  # built (the Train tab once TensorFlow loaded)
                    tab.shutdown()
            self.live.stop()
        super().closeEvent(event)

    # ---------------------------------------------------------------- slots

    def open_picture(self, path: str) -> bool:
        """Classify a picture file (dropped on the canvas) through the live models.

        The canvas is cleared (undoable) and the picture's 28x28 input is answered under the
        canvas's revision. A file that cannot be read changes nothing but the status line.
        """
        try:
            pre = image_to_input(load_image(path))
        except (ImageFileError, PreprocessError, MemoryError) as exc:
            text = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            self.status_label.setText(f"Cannot read that picture: {text}")
            return False
        canvas = self.draw_tab.canvas
        self._picture = (-1, pre)  # clearing the canvas gives the picture its revision
        canvas.clear()
        if self._picture[0] != canvas.revision:  # nothing was drawn: no new revision
            self._picture = (canvas.revision, pre)
            self.live.request_input(canvas.revision, pre)
        what = "nothing drawn in" if pre.empty else "reading"
        self.status_label.setText(f"Picture {Path(path).name}: {what} it (drop another, or draw).")
        return True

    def _on_strokes_changed(self, revision: int) -> None:
        if self._picture is not None and self._picture[0] == -1:  # the clear for a picture:
            self._picture = (revision, self._picture[1])  # its revision is the picture's
        if self._picture is not None and self._picture[0] == revision:
            self.live.request_input(*self._picture)  # e.g. a new model: re-read the picture
            return
        self._picture = None
        canvas = self.draw_tab.canvas
        self.live.request(revision, canvas.model_strokes(), canvas.canvas_size())

    def _on_result(self, result: LiveResult) -> None:
        self.draw_tab.update_result(result)
        self._train_tab_when_ready()
        if self.live.ready:  # restarted by every answer: the next tab is built when they rest
            self._late_timer.start(LATE_TAB_QUIET_MS)
        if self._maps_pending:  # after the answer is painted
            QTimer.singleShot(MAPS_AFTER_ANSWER_MS, self._lay_out_maps)

    def _lay_out_maps(self) -> None:
        if self._maps_pending:  # the set live now, with any model changed since it arrived
            self._maps_pending = False
            self.draw_tab.activations.set_models(self.live.infos)  # shows the latest answer

    def _train_tab_when_ready(self) -> None:
        """Build the Train tab once an answer is on screen and TensorFlow has loaded in the
        background (then it is cheap; it reads MNIST)."""
        ready = self.live.ready and self.live.tensorflow_loaded
        if ready and self.offers_training and self.training_tab is None:
            QTimer.singleShot(0, self, lambda: self.late_tabs.build("Train"))

    def _on_models_ready(self, infos) -> None:
        self.draw_tab.set_ready(True)
        self.draw_tab.probabilities.set_models(infos)
        # The maps are laid out once this set's first answer is shown (about 0.1 s of work,
        # which would otherwise come before it); at the latest MAPS_LAYOUT_MS from now.
        self._maps_pending = True
        QTimer.singleShot(MAPS_LAYOUT_MS, self._lay_out_maps)
        self.model_tab.set_models(infos)
        digit_models = reads_digits(infos)
        self.correction.set_digit_models(digit_models)
        self.busy.hide()
        acc = self.model_tab.metrics
        parts = []
        if not digit_models:  # e.g. a model of your own image classes
            self.status_label.setText(
                "Now live: "
                + ", ".join(
                    f"{model_title(n)} ({len(i.labels)} classes: {', '.join(i.labels)})"
                    for n, i in infos.items()
                )
            )
            self._on_strokes_changed(self.draw_tab.canvas.revision)
            return
        for name in infos:
            a = acc.get(name, {}).get("test_accuracy")
            parts.append(
                f"{model_title(name)} {a:.2%}" if isinstance(a, float) else model_title(name)
            )
        self.status_label.setText("Models ready · MNIST test accuracy: " + ", ".join(parts))
        # Show the ready state: ask for the drawing (made meanwhile, or read by the models
        # that were live before a new set replaced them).
        self._on_strokes_changed(self.draw_tab.canvas.revision)
        if not self._remembered_asked:
            # The bundled models answer already: now bring back the ones put live last time.
            self._remembered_asked = True
            self.remembered.restore()

    def _on_model_changed(self, info) -> None:
        self.draw_tab.activations.update_model(info)
        self.model_tab.update_model(info)
        # Re-read the current drawing with the new model.
        self._on_strokes_changed(self.draw_tab.canvas.revision)

    def _on_model_set(self, name: str, error: str) -> None:
        if self.remembered.confirm(name, error):
            return  # a model remembered from last time: reported by self.remembered
        if not error and name in ("cnn", "dense"):  # a whole new set says so when ready
            source = self.live.sources.get(name, model_title(name))
            self.status_label.setText(f"Now live as the {model_title(name)}: {source}.")

    def _on_error(self, message: str) -> None:
        self.status_label.setText(message.splitlines()[0])
        print(message, file=sys.stderr)
