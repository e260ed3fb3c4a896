"""The ``teach`` self-test check: correct a reading, see it in "My handwriting", fine-tune.

It works on a scratch copy of the personal dataset (the user's own file is never touched):
draws a 7 in the real window, files it as a 1 with the correction row, checks the stored
sample is exactly what the live models saw, waits for both models' accuracy on it (0 of 1),
relabels it to 7 (1 of 1), round-trips an export and an import, refuses a bad file, then
fine-tunes the bundled dense model on three samples in a worker thread (a short run) and
checks the before/after figures and that nothing live changed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from digitlab.app.selftest.support import (
    ANSWER_TIMEOUT_S,
    DIGIT_PATHS,
    Check,
    Context,
    draw_digit,
    path_points,
)
from digitlab.model.nets.wording import plural

SELFTEST_RECIPE = {
    "epochs": 1,
    "batch_size": 64,
    "learning_rate": 1e-3,
    "mnist_size": 256,
    "seed": 0,
}


def _fine_tune_briefly(samples, timeout_s: float = 120.0):
    from digitlab.app.handwriting.fine_tune_worker import FineTuneWorker
    from digitlab.app.selftest.worker_support import run_to_end
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.fine_tune import FineTuneRecipe

    worker = FineTuneWorker(
        "dense",
        bundled_model_path("dense"),
        list(samples),
        FineTuneRecipe(**SELFTEST_RECIPE),
        test_size=500,
        throttle_s=0.0,
    )
    watcher = run_to_end(worker, timeout_s)
    return watcher.outcome, watcher.error


def _teach(ctx: Context) -> tuple[bool, str]:
    """Correct a reading, see it in "My handwriting", export/import, fine-tune briefly."""
    window = ctx.window
    personal = window.personal
    tab = window.handwriting_tab
    canvas = window.draw_tab.canvas
    swaps = []
    original_set_model = window.live.set_model
    with tempfile.TemporaryDirectory() as tmp:
        previous = personal.use_path(Path(tmp) / "selftest.jsonl")
        window.live.set_model = lambda *a, **k: swaps.append(a)
        try:
            canvas.clear()
            draw_digit(canvas, 7)
            result = ctx.wait_for_answer()
            if result is None or result.empty:
                return False, "no answer for the drawn 7"
            if not window.correction.save_as(1) or len(personal) != 1:
                return False, "the correction row did not save the drawing"
            sample = personal.samples[0]
            if not np.array_equal(sample.model_input(), result.preprocessed.image):
                return False, "the saved sample differs from what the models saw"
            if not ctx.wait_until(lambda: len(tab.readings) == 2, ANSWER_TIMEOUT_S):
                return False, "My handwriting got no accuracy from the live models"
            wrong = {n: int(r[0]) for n, r in tab.readings.items()}
            tab.select([0])
            tab.relabel_selected(7)
            if not ctx.wait_until(lambda: len(tab.readings) == 2, ANSWER_TIMEOUT_S):
                return False, "no accuracy after relabelling"
            right = all(int(r[0]) == 7 for r in tab.readings.values())
            exported = Path(tmp) / "export.jsonl"
            tab.export_to(exported)
            report = personal.import_file(exported)
            bad = Path(tmp) / "bad.jsonl"
            bad.write_bytes(b"\x00\xff")
            refused = not tab.import_from(bad) and len(personal) == 1
            size = (canvas.width(), canvas.height())
            for digit in (1, 0):
                personal.add(digit, [path_points(p, size) for p in DIGIT_PATHS[digit]], size)
            outcome, error = _fine_tune_briefly(personal.samples)
        finally:
            window.live.set_model = original_set_model
            try:
                del window.live.set_model  # back to the class's method
            except AttributeError:
                pass
            personal.use_path(previous)
            canvas.clear()
    if outcome is None or not outcome.completed:
        return False, f"fine-tuning did not complete: {error or 'no outcome'}"
    ok = (
        all(v == 7 for v in wrong.values())
        and right
        and report.duplicates == 1
        and refused
        and outcome.before is not None
        and outcome.after is not None
        and not swaps
    )
    detail = (
        f"saved a drawn 7 as 1 (models read {wrong}), relabelled 7 (read right: {right}); "
        f"export/import skipped {report.duplicates} duplicate; bad file refused: {refused}; "
        f"fine-tuned dense on {plural(outcome.tuned, 'sample')}: "
        f"MNIST {outcome.before.mnist:.1%} -> {outcome.after.mnist:.1%}; "
        f"live models untouched: {not swaps}"
    )
    return ok, detail


CHECKS: dict[str, Check] = {"teach": _teach}
