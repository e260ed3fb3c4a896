"""A digit model put live with "Use this model" is live again at the next start.

:class:`RememberedLive` is the window's side of the Qt-free
:class:`~digitlab.model.nets.remembered.RememberedModels`: saving and forgetting run in its file
thread; once the bundled models answer, :meth:`RememberedLive.restore` reads the remembered
files there (safe loader) and puts each readable one live with ``set_model``. An unreadable
file is reported in one line and the bundled model stays live.
"""

from __future__ import annotations

from concurrent.futures import Future

from PySide6.QtCore import QCoreApplication, QObject, Signal

from digitlab.app import storage
from digitlab.model.nets.live_source import remembered_label
from digitlab.model.nets.remembered import SLOTS, RememberedModels
from digitlab.model.nets.wording import model_title


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


class RememberedLive(QObject):
    """The models remembered for the next start, and their return at start.

    Parameters
    ----------
    live : the live models (anything with ``set_model(slot, model_or_path)``).
    store : where the files are (default: ``models/`` in the user data folder).
    """

    # A remembered model is live again: slot, the Keras model read from its file (for the
    # GUI thread only, e.g. the Train tab's model list).
    restored = Signal(str, object)
    # One line for the status bar about the models remembered from last time.
    reported = Signal(str)
    # A model could not be remembered (or forgotten): the message.
    save_failed = Signal(str)
    # Internal: a file operation ended, emitted from the file thread: (what, slot, the model
    # read or None, error or "").
    _ended = Signal(str, str, object, str)

    def __init__(self, live, store: RememberedModels | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.live = live
        self.store = store if store is not None else RememberedModels(storage.user_models_dir())
        self._restored: dict[str, object] = {}
        self._awaiting: set[str] = set()  # asked live, set_model not yet confirmed
        self._notes: dict[str, str] = {}  # slot -> the sentence the status line says
        self._ended.connect(self._on_ended)
        app = QCoreApplication.instance()
        if app is not None:  # a save under way is finished before the app quits
            app.aboutToQuit.connect(self.wait)

    @property
    def restored_models(self) -> dict[str, object]:
        """slot -> the Keras model put live again at this start."""
        return dict(self._restored)

    def restore(self) -> tuple[str, ...]:
        """Read each remembered file in the file thread and put the readable ones live; the
        slots with a file are returned at once (:attr:`restored` and :attr:`reported` follow)."""
        slots = self.store.slots()
        for slot in slots:
            self._watch("load", slot, self.store.load(slot))
        return slots

    def remember(self, slot: str, model) -> None:
        """Keep ``model`` (a Keras model no one else uses: pass a copy) as ``slot``'s model
        for the next start, saved in the file thread; :attr:`save_failed` says if it fails."""
        self._watch("save", slot, self.store.remember(slot, model))

    def forget(self, slots: tuple[str, ...] = SLOTS) -> None:
        """The bundled models will be live at the next start (after any save asked before)."""
        self._watch("forget", ", ".join(slots), self.store.forget(slots))

    def confirm(self, name: str, error: str) -> bool:
        """Call with ``LiveModels.model_set``'s arguments, before reporting them: True when
        this swap was a remembered model going live (then it is reported here)."""
        if name not in self._awaiting:
            return False
        self._awaiting.discard(name)
        title = model_title(name)
        if error:
            self._notes[name] = (
                f"The {title} remembered from last time could not be put live "
                f"({error.splitlines()[0]}); the bundled {title} stays live."
            )
        else:
            self._notes[name] = (
                f"Your {title} from last time is live again (“Restore bundled "
                "models” on the Train tab brings the shipped one back)."
            )
        self._report()
        return True

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Wait for the file thread (e.g. a save under way at exit); True if it finished."""
        return self.store.wait(timeout_ms / 1000)

    def _watch(self, what: str, slot: str, future: Future) -> None:
        def ended(done: Future) -> None:  # in the file thread
            error = done.exception()
            try:
                self._ended.emit(
                    what,
                    slot,
                    None if error else done.result(),
                    "" if error is None else _first_line(error),
                )
            except RuntimeError:  # the window is gone: nobody to tell
                pass

        future.add_done_callback(ended)

    def _on_ended(self, what: str, slot: str, model, error: str) -> None:
        if what == "save" and error:
            self.save_failed.emit(
                f"Could not remember the {model_title(slot)} for the next start: {error}"
            )
        elif what == "forget" and error:
            self.save_failed.emit(f"Could not forget the remembered models: {error}")
        elif what == "load" and error:
            title = model_title(slot)
            self._notes[slot] = (
                f"The {title} remembered from last time is unreadable "
                f"({error}); the bundled {title} stays live."
            )
            self._report()
        elif what == "load":
            self._restored[slot] = model
            self._awaiting.add(slot)
            # The file just read is read again by the inference thread (and the Explain
            # tab's): no thread shares the model object, and the GUI thread copies nothing.
            self.live.set_model(slot, self.store.path(slot), source=remembered_label(slot))
            self.restored.emit(slot, model)

    def _report(self) -> None:
        self.reported.emit(" ".join(self._notes[slot] for slot in SLOTS if slot in self._notes))
