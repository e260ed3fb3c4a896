"""TensorFlow, imported in a thread of its own once the live models answer.

The live view answers through NumPy (:mod:`digitlab.model.nets.light_inference`) from the
start; TensorFlow (seconds to import) is needed only by what comes later: the Train tab,
Grad-CAM, fine-tuning. So :class:`digitlab.app.live.live_models.LiveModels` starts this
loader when the models are ready, and the window builds the Train tab when it has finished,
never blocking the GUI thread or the inference thread on the import.
"""

from __future__ import annotations

import traceback

from PySide6.QtCore import QObject, Signal, Slot


class TensorFlowLoader(QObject):
    """Imports TensorFlow and Keras once (quietly), then ends."""

    # TensorFlow is imported.
    loaded = Signal()
    # The import failed: a message.
    failed = Signal(str)
    # Always last: the thread may quit.
    done = Signal()

    def cancel(self) -> None:
        """An import cannot be interrupted: nothing to do (the thread is joined at exit)."""

    @Slot()
    def run(self) -> None:
        try:
            from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

            import_tensorflow_quietly()
            self.loaded.emit()
        except Exception as exc:
            self.failed.emit(f"TensorFlow could not be loaded: {exc}\n{traceback.format_exc()}")
        finally:
            self.done.emit()
