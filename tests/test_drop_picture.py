"""Dropping a picture on the canvas classifies it with both models; a bad file changes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import open_window, shared_core
from picture_support import KINDS, on_paper, transparent_picture
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from digitlab.app.selftest.support import draw_digit
from digitlab.model.data.custom_dataset import load_folder
from digitlab.model.data.images import load_image
from digitlab.model.data.mnist import load_mnist
from digitlab.model.preprocess.pictures import image_to_input

TIMEOUT_MS = 60_000


@pytest.fixture
def window(qtbot):
    yield from open_window(qtbot)


def _mime(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def _drop(canvas, mime: QMimeData) -> bool:
    """Drag ``mime`` onto the middle of ``canvas`` and drop it; True if the drag was accepted."""
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)
    enter = QDragEnterEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas, drop)
    return True


def _mnist_picture(path, index=0):
    """An MNIST test digit as a user's photo would be: dark ink on white paper, 4x larger."""
    data = load_mnist()
    digit = 255 - data.x_test[index]
    Image.fromarray(digit).resize((112, 112), Image.Resampling.BILINEAR).save(path)
    return int(data.y_test[index])


def _answered(win):
    latest = win.live.latest
    canvas = win.draw_tab.canvas
    assert latest is not None and latest.revision == canvas.revision
    assert latest.empty or len(latest.probabilities) == 2
    assert win.draw_tab.painted_revision() >= canvas.revision


def test_a_dropped_picture_is_shown_as_the_input_and_read_by_both_models(qtbot, window, tmp_path):
    path = tmp_path / "seven.png"
    label = _mnist_picture(path)
    canvas = window.draw_tab.canvas
    draw_digit(canvas, 1)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert _drop(canvas, _mime(QUrl.fromLocalFile(str(path))))
    assert canvas.is_empty()  # the drawing made way for the picture (Ctrl+Z brings it back)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(window.live.latest.probabilities) == 2, timeout=TIMEOUT_MS)
    latest = window.live.latest
    expected = image_to_input(load_image(path)).image
    np.testing.assert_array_equal(latest.preprocessed.image, expected)
    readings = {n: int(np.argmax(p)) for n, p in latest.probabilities.items()}
    assert readings == {"cnn": label, "dense": label}
    assert "seven.png" in window.status_label.text()
    # Drawing again replaces the picture with the drawing.
    draw_digit(canvas, 1)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert int(np.argmax(window.live.latest.probabilities["cnn"])) == 1


@pytest.mark.slow
def test_a_transparent_picture_dropped_reads_as_it_does_in_a_training_folder(
    qtbot, window, tmp_path
):
    canvas = window.draw_tab.canvas
    for kind in KINDS:
        folder = tmp_path / kind
        for name in ("a/1.png", "a/2.png", "b/1.png", "b/2.png"):
            transparent_picture(folder / name, kind)
        in_folder = load_folder(folder, test_share=0.5).x_train[0]
        np.testing.assert_array_equal(in_folder, on_paper())  # ink where the strokes were
        draw_digit(canvas, 1)  # something else first, so the answer to the drop is new
        qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
        assert _drop(canvas, _mime(QUrl.fromLocalFile(str(folder / "a" / "1.png"))))
        qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
        dropped = window.live.latest.preprocessed
        assert not dropped.empty, kind
        np.testing.assert_allclose(
            dropped.image, image_to_input(in_folder).image, atol=1e-6, err_msg=kind
        )
        np.testing.assert_allclose(
            dropped.image, image_to_input(on_paper()).image, atol=1e-6, err_msg=kind
        )


@pytest.mark.parametrize(
    "content",
    [b"not a picture", b"\x89PNG\r\n\x1a\n" + bytes(30), b""],
    ids=["text", "truncated-png", "empty"],
)
def test_a_bad_dropped_file_says_why_and_keeps_the_drawing_and_its_answer(
    qtbot, window, tmp_path, content
):
    canvas = window.draw_tab.canvas
    draw_digit(canvas, 7)
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    before = (canvas.revision, len(canvas.history.strokes), window.live.latest)
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    assert _drop(canvas, _mime(QUrl.fromLocalFile(str(path))))
    assert "Cannot read that picture" in window.status_label.text()
    assert "bad.png" in window.status_label.text()
    assert (canvas.revision, len(canvas.history.strokes), window.live.latest) == before


def test_a_blank_picture_is_nothing_drawn_and_asks_no_model(qtbot, window, tmp_path):
    path = tmp_path / "white.png"
    Image.new("L", (50, 50), 255).save(path)
    runs = window.live.runs
    assert window.open_picture(str(path))
    qtbot.waitUntil(lambda: _answered(window), timeout=TIMEOUT_MS)
    assert window.live.latest.empty and window.live.runs == runs


def test_only_local_files_can_be_dropped(window):
    canvas = window.draw_tab.canvas
    assert not _drop(canvas, _mime(QUrl("https://example.com/seven.png")))
    assert not _drop(canvas, QMimeData())


def test_a_dropped_picture_is_read_again_by_a_new_model(qtbot, window, tmp_path):
    path = tmp_path / "digit.png"
    _mnist_picture(path, index=1)
    assert window.open_picture(str(path))
    qtbot.waitUntil(lambda: len(window.live.latest.probabilities) == 2, timeout=TIMEOUT_MS)
    revision = window.draw_tab.canvas.revision
    with qtbot.waitSignal(window.live.model_changed, timeout=TIMEOUT_MS):
        window.live.set_model("dense", shared_core().model("dense"))
    qtbot.waitUntil(
        lambda: (
            window.live.latest.revision == revision and len(window.live.latest.probabilities) == 2
        ),
        timeout=TIMEOUT_MS,
    )
    np.testing.assert_array_equal(
        window.live.latest.preprocessed.image, image_to_input(load_image(path)).image
    )
