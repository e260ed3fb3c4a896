"""The question before quitting while a model is training (or being fine-tuned)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_to_stop_training(parent: QWidget) -> bool:
    """Ask whether to quit and stop the run in progress; True: quit. "Keep training" is the
    default, so Enter or Esc never loses a run."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Quit Digit Lab?",
        "A model is training. Quitting stops the run, and the model it was making is lost.",
        parent=parent,
    )
    stop = box.addButton("Quit and stop the run", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep training", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is stop


def may_quit(window) -> bool:
    """Whether ``window`` (a ``MainWindow``) may close now: nothing is training, or the user
    said to stop it."""
    tab = getattr(window, "training_tab", None)
    return tab is None or not tab.is_training() or ask_to_stop_training(window)
