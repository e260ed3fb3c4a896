"""The Train tab's "Training data" box: MNIST, or your own image classes (folder or .npz).

Choosing a folder of class subfolders (or an MNIST-layout ``.npz``) reads it in a worker
thread through :func:`digitlab.model.data.custom_dataset.load_source`, then shows each class's
name, its train/test counts and a sample picture. "From binaries…" renders files with
:mod:`digitlab.model.binaries.render_jobs`, also off the GUI thread (both run in a
:class:`~digitlab.app.training.call_worker.CallWorker`). The panel only shows and wires; the
training tab asks it for :attr:`CustomDataPanel.dataset`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.app.threads import STOP_TIMEOUT_MS, WorkerThread
from digitlab.app.training.call_worker import CallWorker
from digitlab.app.training.evaluation_view import digit_pixmap, icon_grid
from digitlab.app.widgets import file_dialogs
from digitlab.app.widgets.styles import BAD_STYLE, HINT_STYLE, WARNING
from digitlab.model.binaries.render_jobs import family_jobs, render_jobs, rendered_summary
from digitlab.model.data.custom_dataset import (
    DEFAULT_SIZE,
    DEFAULT_TEST_SHARE,
    MAX_SIZE,
    MIN_SIZE,
    CustomDataset,
    load_source,
)
from digitlab.model.nets.wording import plural

SOURCES = (
    ("mnist", "MNIST · 70,000 handwritten digits"),
    ("custom", "Your own images · folder or .npz"),
)
ICON_PX = 40


class CustomDataPanel(QGroupBox):
    """Pick the training data: MNIST, or a folder / .npz of your own classes."""

    # The source or the loaded dataset changed (read ``is_custom`` and ``dataset``).
    changed = Signal()
    # A dataset of your own classes is loaded: the CustomDataset.
    loaded = Signal(object)
    # Reading or converting failed: the message.
    failed = Signal(str)
    # Binaries were rendered: the list of model.bytes_image.Rendered.
    rendered = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Training data", parent)
        self.dataset: CustomDataset | None = None
        self.path: str | None = None
        self._job: WorkerThread | None = None
        self._reload_after = False
        self._load_after: Path | None = None

        self.source = QComboBox()
        for key, label in SOURCES:
            self.source.addItem(label, key)
        self.source.setToolTip("Train on MNIST's handwritten digits or on pictures of your own")
        self.source.currentIndexChanged.connect(self._on_source_changed)

        self.path_label = QLabel("No folder or file chosen.")
        self.path_label.setWordWrap(True)
        self.path_label.setStyleSheet(HINT_STYLE)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("A folder with one subfolder of pictures per class")
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.npz_button = QPushButton(".npz…")
        self.npz_button.setToolTip(
            "An MNIST-layout .npz: x_train, y_train, x_test, y_test "
            "(28×28 uint8), optional class_names"
        )
        self.npz_button.clicked.connect(self._on_npz_clicked)
        self.binaries_button = QToolButton()
        self.binaries_button.setText("From binaries…")  # with its menu arrow: fits the column
        self.binaries_button.setToolTip(
            "Render files as greyscale pictures, one byte per pixel "
            "(the usual way to build a malware-family dataset)"
        )
        self.binaries_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.binaries_button)
        self.binaries_folder_action = QAction("A folder of family subfolders…", self)
        self.binaries_folder_action.triggered.connect(self._on_binaries_folder)
        self.binaries_files_action = QAction("Some files, into one class folder…", self)
        self.binaries_files_action.triggered.connect(self._on_binaries_files)
        menu.addAction(self.binaries_folder_action)
        menu.addAction(self.binaries_files_action)
        self.binaries_button.setMenu(menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.npz_button)
        buttons.addWidget(self.binaries_button, 1)

        self.size = QSpinBox()
        self.size.setRange(MIN_SIZE, MAX_SIZE)
        self.size.setValue(DEFAULT_SIZE)
        self.size.setSuffix(" px")
        self.size.setToolTip(
            "Every picture is converted to greyscale and resized to this square "
            "size. Only 28 px models can be used live on the drawing."
        )
        self.test_share = QSpinBox()
        self.test_share.setRange(5, 50)
        self.test_share.setValue(int(DEFAULT_TEST_SHARE * 100))
        self.test_share.setSuffix(" % test")
        self.test_share.setToolTip(
            "Share of each class kept out of training, for evaluation "
            "(split per class, with the run's seed)"
        )
        for box in (self.size, self.test_share):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._reload)
        options = QFormLayout()
        options.setContentsMargins(0, 0, 0, 0)
        split_row = QHBoxLayout()
        split_row.addWidget(self.size)
        split_row.addWidget(self.test_share)
        options.addRow("Pictures", split_row)

        self.classes = icon_grid(ICON_PX, ICON_PX + 42, ICON_PX + 36)
        self.classes.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.classes.setWrapping(False)  # one row, scrolled sideways: the column stays short
        self.classes.setFlow(QListView.Flow.LeftToRight)
        self.classes.setFixedHeight(ICON_PX + 36 + 22)
        self.classes.setToolTip(
            "Each class: a sample picture as the model sees it, training / test pictures"
        )
        self.summary = QLabel("")
        self.summary.setWordWrap(True)

        self.custom_box = QWidget()
        custom = QVBoxLayout(self.custom_box)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addLayout(buttons)
        custom.addWidget(self.path_label)
        custom.addLayout(options)
        custom.addWidget(self.classes)
        custom.addWidget(self.summary)

        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(self.custom_box)
        self.seed = 0
        self._on_source_changed()

    # --- state -----------------------------------------------------------------------------
    def is_custom(self) -> bool:
        return self.source.currentData() == "custom"

    def ready(self) -> bool:
        """True when training can start: MNIST, or your own data loaded."""
        return not self.is_custom() or (self.dataset is not None and self._job is None)

    def busy(self) -> bool:
        return self._job is not None

    def set_enabled_for_training(self, enabled: bool) -> None:
        for w in (self.source, self.folder_button, self.npz_button, self.size, self.test_share):
            w.setEnabled(enabled)

    def set_seed(self, seed: int) -> None:
        """The split's seed (the run's seed): a new one splits the pictures again."""
        if seed != self.seed:
            self.seed = seed
            self._reload()

    def _on_source_changed(self, *_args) -> None:
        self.custom_box.setVisible(self.is_custom())
        self.changed.emit()

    # --- loading -----------------------------------------------------------------------------
    def _on_folder_clicked(self) -> None:
        path = file_dialogs.existing_directory(
            self, "Folder with one subfolder per class", file_dialogs.PICTURES
        )
        if path:
            self.load(path)

    def _on_npz_clicked(self) -> None:
        path = file_dialogs.open_file_name(
            self, "MNIST-layout dataset", file_dialogs.PICTURES, "NumPy archives (*.npz)"
        )
        if path:
            self.load(path)

    def load(self, path: str | Path) -> None:
        """Read ``path`` (folder or .npz) in a worker thread; ``loaded`` or ``failed`` follows."""
        index = self.source.findData("custom")
        if self.source.currentIndex() != index:
            self.source.setCurrentIndex(index)
        self.path = str(path)
        self.path_label.setText(self.path)
        self.path_label.setToolTip(self.path)
        self._reload()

    def _reload(self, *_args) -> None:
        if self.path is None:
            return
        if self._job is not None:
            self._reload_after = True
            self._job.worker.cancel()
            return
        path, size = self.path, self.size.value()
        share, seed = self.test_share.value() / 100.0, self.seed

        def read(on_progress, should_stop):
            return load_source(
                path,
                size=size,
                test_share=share,
                seed=seed,
                on_progress=on_progress,
                should_stop=should_stop,
            )

        self.dataset = None
        self.classes.clear()
        self.summary.setText("Reading pictures…")
        self.summary.setStyleSheet("")
        self._start(read, self._on_loaded)

    def _start(self, fn: Callable, on_finished: Callable) -> None:
        worker = CallWorker(fn)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(on_finished)
        worker.failed.connect(self._on_failed)
        holder = WorkerThread(worker, self)
        holder.ended.connect(self._on_job_ended)
        self._job = holder
        self.changed.emit()
        holder.start()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.summary.setText(f"Reading pictures… {done:,} of {total:,}")

    @Slot(object)
    def _on_loaded(self, data: CustomDataset) -> None:
        self.dataset = data
        self._show(data)
        self.loaded.emit(data)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.dataset = None
        self.classes.clear()
        self.summary.setText(f"⚠ {message}")
        self.summary.setStyleSheet(BAD_STYLE)
        self.failed.emit(message)

    def _on_job_ended(self) -> None:
        holder, self._job = self._job, None
        if holder is not None:
            holder.dispose()
        if self._reload_after:
            self._reload_after = False
            self._reload()
        self.changed.emit()

    def _show(self, data: CustomDataset) -> None:
        self.classes.clear()
        counts = data.counts()
        for label, name in enumerate(data.class_names):
            rows = (data.y_train == label).nonzero()[0]
            image = data.x_train[rows[0]] if len(rows) else data.x_test[data.y_test == label][0]
            train, test = counts[name]
            short = name if len(name) <= 11 else name[:10] + "…"
            item = QListWidgetItem(
                QIcon(digit_pixmap(image, ICON_PX)), f"{short}\n{train} / {test}"
            )
            item.setToolTip(f"{name}: {train} training and {plural(test, 'test picture')}")
            self.classes.addItem(item)
        skipped = (
            (
                f" · <span style='color:{WARNING}'>"
                f"{plural(len(data.skipped), 'unreadable picture')} skipped</span>"
            )
            if data.skipped
            else ""
        )
        self.summary.setText(
            f"<b>{data.num_classes} classes</b> · {len(data.x_train):,} training, "
            f"{plural(len(data.x_test), 'test picture')} of "
            f"{data.image_size}×{data.image_size}{skipped}"
        )
        self.summary.setStyleSheet("")
        if data.skipped:
            self.summary.setToolTip("\n".join(reason for _, reason in data.skipped[:20]))
        self.size.blockSignals(True)
        self.size.setValue(data.image_size)  # an .npz decides its own size
        self.size.blockSignals(False)
        self.changed.emit()

    # --- binaries ------------------------------------------------------------------------------
    def _on_binaries_files(self) -> None:
        files = file_dialogs.open_file_names(
            self, "Files to render as pictures", file_dialogs.PICTURES
        )
        if not files:
            return
        out = file_dialogs.existing_directory(  # starts beside the files
            self, "Class folder for the pictures (e.g. images/family_a)", file_dialogs.PICTURES
        )
        if out:
            self.render_binaries([(Path(f), Path(out)) for f in files], load_after=None)

    def _on_binaries_folder(self) -> None:
        source = file_dialogs.existing_directory(
            self, "Folder with one subfolder of binaries per family", file_dialogs.PICTURES
        )
        if not source:
            return
        out = file_dialogs.existing_directory(  # starts beside the source folder
            self, "Where to write the picture folders", file_dialogs.PICTURES
        )
        if out:
            self.render_folder(source, out)

    def render_folder(self, source: str | Path, out: str | Path) -> None:
        """Render ``source/<family>/*`` into ``out/<family>/*.png``, then load ``out``."""
        jobs = family_jobs(source, out)
        if not jobs:
            self._on_failed(f"{source}: no family subfolders with files in them")
            return
        self.render_binaries(jobs, load_after=Path(out))

    def render_binaries(self, jobs: list[tuple[Path, Path]], load_after: Path | None) -> None:
        """Render each ``(file, folder)`` pair in a worker thread (one PNG per file)."""
        if self._job is not None:
            return

        def render(on_progress, should_stop):
            return render_jobs(jobs, on_progress, should_stop)

        self.summary.setText("Rendering binaries…")
        self.summary.setStyleSheet("")
        self._load_after = load_after
        self._start(render, self._on_rendered)

    @Slot(object)
    def _on_rendered(self, results) -> None:
        text, errors = rendered_summary(results)
        if errors:
            self.summary.setToolTip("\n".join(errors[:20]))
        self.summary.setText(text)
        self.rendered.emit(results)
        if self._load_after is not None and any(r.error is None for r in results):
            self.path = str(self._load_after)
            self.path_label.setText(self.path)
            self._reload_after = True  # once the render thread has ended
            self.source.setCurrentIndex(self.source.findData("custom"))

    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel and join any reading or rendering thread."""
        if self._job is None:
            return True
        self._reload_after = False
        return self._job.stop(timeout_ms)
