"""The Explore thread follows the live models: a model put live is explored too, and
"Restore bundled models" brings the bundled ones back (as the Explain tab does)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from digitlab.model.explore.embedding import MAP_LAYERS
from digitlab.model.nets.describe import reads_digits


class ModelFollower(QObject):
    """Connects ``live``'s model signals to ``worker.set_model``; ``report`` gets a line when
    a model cannot be explored. :attr:`other_live`: a set other than the digit models is live.
    Made after models were put live (the tab is built once the first answer is shown), it
    catches up: the live set, then each model asked for since."""

    def __init__(self, live, worker, report: Callable[[str], None], parent=None):
        super().__init__(parent)
        self.worker = worker
        self.report = report
        self.other_live = False
        self._replaced: set[str] = set()
        live.follow_models(self._on_model_requested, self._on_models_ready)

    def _on_model_requested(self, name: str, model) -> None:
        """A new live model: explore the same (a path, or NumPy and Keras copies made here)."""
        if name not in MAP_LAYERS:
            return
        light, source = model, model
        if hasattr(model, "layers"):
            from digitlab.model.nets.inference import copy_for_thread
            from digitlab.model.nets.light_inference import light_model

            try:
                light, source = light_model(model), copy_for_thread(model)
            except Exception as exc:  # e.g. a layer the NumPy path does not run
                self.report(f"Explore cannot read the new {name} model: {exc}")
                return
        self._replaced.add(name)
        self.worker.set_model(name, light, source)

    def _on_models_ready(self, infos) -> None:
        self.other_live = not reads_digits(infos)
        if self.other_live or not self._replaced:
            return
        from digitlab.model.data.bundled import bundled_model_path

        for name in sorted(self._replaced):
            path = bundled_model_path(name)
            self.worker.set_model(name, path, path)
        self._replaced.clear()
