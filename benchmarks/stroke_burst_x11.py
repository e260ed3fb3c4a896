"""How many points of a real X11 stroke reach the canvas while the GUI thread is busy.

Run under an X server with xdotool (e.g. ``Xvfb :99 & DISPLAY=:99 python
benchmarks/stroke_burst_x11.py``): a zigzag of 120 mouse moves is sent while the GUI thread
sleeps 1.5 s, then the stroke's point count is printed, once with the canvas as shipped and
once with Qt's move merging left on during the stroke (``--merged``).
"""

from __future__ import annotations

import subprocess
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from digitlab.app.draw.canvas import DrawingCanvas
from digitlab.app.draw.every_point import EveryPoint

MOVES = 120


def main() -> None:
    if "--merged" in sys.argv:  # what the canvas did before: Qt merged queued moves
        EveryPoint.hold = lambda self: None
    app = QApplication(sys.argv[:1])
    canvas = DrawingCanvas()
    canvas.resize(400, 400)
    canvas.move(0, 0)
    canvas.show()

    def stroke() -> None:
        corner = canvas.mapToGlobal(canvas.rect().topLeft())
        x0, y0 = corner.x() + 50, corner.y() + 50
        subprocess.run(["xdotool", "mousemove", str(x0), str(y0), "mousedown", "1"], check=True)
        app.processEvents()
        time.sleep(0.2)
        app.processEvents()
        args = ["xdotool"]
        for i in range(MOVES):
            y = y0 + 150 + 100 * (-1) ** (i // 10) * (i % 10) / 10
            args += ["mousemove", f"{x0 + i * 2.5:.0f}", f"{y:.0f}"]
        subprocess.Popen([*args, "mouseup", "1"])
        time.sleep(1.5)  # the GUI thread is busy while the moves arrive
        QTimer.singleShot(1500, report)

    def report() -> None:
        points = [len(s.points) for s in canvas.history.strokes]
        mode = "merged" if "--merged" in sys.argv else "as shipped"
        print(f"{mode}: {MOVES + 1} positions sent, stroke points kept: {points}")
        app.quit()

    QTimer.singleShot(800, stroke)
    app.exec()


if __name__ == "__main__":
    main()
