"""The training and evaluation workers: signals, cancel, pause, failures, NaN (tiny runs)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PySide6.QtCore import QObject, Slot

from digitlab.app.threads import WorkerThread
from digitlab.app.training.evaluation_worker import EvaluationWorker
from digitlab.app.training.worker import TrainingWorker
from digitlab.model.data.bundled import bundled_model_path
from digitlab.model.nets.training import Recipe

TINY = Recipe(epochs=1, batch_size=64, learning_rate=2e-3, augment=False, train_size=256, seed=0)


def _record(worker: TrainingWorker) -> list[tuple[str, object]]:
    """Connect every signal of ``worker`` to a list (direct calls: run() in this thread)."""
    seen: list[tuple[str, object]] = []
    worker.started.connect(lambda n: seen.append(("started", n)))
    worker.preparing.connect(lambda d, t: seen.append(("preparing", (d, t))))
    worker.progress.connect(lambda info: seen.append(("progress", info)))
    worker.epoch_ended.connect(lambda info: seen.append(("epoch", info)))
    worker.evaluating.connect(lambda: seen.append(("evaluating", None)))
    worker.finished.connect(lambda outcome: seen.append(("finished", outcome)))
    worker.failed.connect(lambda message: seen.append(("failed", message)))
    worker.done.connect(lambda: seen.append(("done", None)))
    return seen


@pytest.mark.slow
def test_run_emits_started_progress_epoch_finished_done_in_that_order(qapp):
    worker = TrainingWorker("dense", TINY, validate=False, evaluate_after=False, throttle_s=0.0)
    seen = _record(worker)
    worker.run()
    kinds = [kind for kind, _ in seen]
    assert kinds[0] == "started" and seen[0][1] == 4
    assert kinds[-2:] == ["finished", "done"]
    assert kinds[1:-3] == ["progress"] * 4 and kinds[-3] == "epoch"
    steps = [int(info["points"][-1, 0]) for kind, info in seen if kind == "progress"]
    assert steps == [1, 2, 3, 4]
    outcome = seen[-2][1]
    assert outcome.completed and outcome.model is not None and outcome.epochs_run == 1


@pytest.mark.slow
def test_progress_is_throttled_but_carries_every_batch(qapp):
    worker = TrainingWorker("dense", TINY, validate=False, evaluate_after=False, throttle_s=3600)
    seen = _record(worker)
    worker.run()
    progress = [info for kind, info in seen if kind == "progress"]
    # The first batch and the epoch's last batch are emitted, nothing between.
    assert len(progress) == 2
    steps = np.concatenate([info["points"][:, 0] for info in progress])
    assert steps.tolist() == [1, 2, 3, 4]


class _Recorder(QObject):
    """Lives in the test's thread, so the worker's signals reach it queued, in order."""

    def __init__(self, worker: TrainingWorker):
        super().__init__()
        self.kinds: list[str] = []
        for name in (
            "started",
            "progress",
            "epoch_ended",
            "evaluating",
            "finished",
            "failed",
            "done",
        ):
            getattr(worker, name).connect(getattr(self, f"_on_{name}"))

    @Slot(int)
    def _on_started(self, _n):
        self.kinds.append("started")

    @Slot(object)
    def _on_progress(self, _info):
        self.kinds.append("progress")

    @Slot(object)
    def _on_epoch_ended(self, _info):
        self.kinds.append("epoch")

    @Slot()
    def _on_evaluating(self):
        self.kinds.append("evaluating")

    @Slot(object)
    def _on_finished(self, _outcome):
        self.kinds.append("finished")

    @Slot(str)
    def _on_failed(self, _message):
        self.kinds.append("failed")

    @Slot()
    def _on_done(self):
        self.kinds.append("done")


@pytest.mark.slow
def test_signals_cross_the_thread_in_order(qtbot):
    worker = TrainingWorker("dense", TINY, validate=False, evaluate_after=True, throttle_s=0.0)
    recorder = _Recorder(worker)
    holder = WorkerThread(worker)
    with qtbot.waitSignal(holder.ended, timeout=120_000):
        holder.start()
    assert recorder.kinds == (
        ["started"] + ["progress"] * 4 + ["epoch", "evaluating", "finished", "done"]
    )
    assert not holder.is_running()
    assert holder.stop()


@pytest.mark.slow
def test_cancel_stops_after_the_current_batch(qapp):
    recipe = Recipe(epochs=3, batch_size=32, learning_rate=2e-3, augment=False, train_size=512)
    worker = TrainingWorker("dense", recipe, validate=False, evaluate_after=False, throttle_s=0.0)
    seen = _record(worker)
    worker.progress.connect(lambda info: worker.cancel())
    worker.run()
    steps = [int(info["points"][-1, 0]) for kind, info in seen if kind == "progress"]
    assert steps == [1]
    outcome = [value for kind, value in seen if kind == "finished"][0]
    assert outcome.stopped and not outcome.completed and outcome.evaluation is None


@pytest.mark.slow
def test_cancel_while_preparing_augmentation_stops_the_run(qapp):
    recipe = Recipe(epochs=1, batch_size=64, augment=True, augmented_copies=3, train_size=600)
    worker = TrainingWorker("dense", recipe, validate=False, evaluate_after=False)
    seen = _record(worker)
    worker.preparing.connect(lambda done, total: worker.cancel())
    worker.run()
    kinds = [kind for kind, _ in seen]
    assert "progress" not in kinds and kinds[-2:] == ["finished", "done"]
    assert seen[-2][1].stopped


@pytest.mark.slow
def test_pause_holds_the_run_until_resumed(qtbot):
    worker = TrainingWorker("dense", TINY, validate=False, evaluate_after=False, throttle_s=0.0)
    steps = []
    worker.progress.connect(lambda info: steps.append(int(info["step"])))
    holder = WorkerThread(worker)
    worker.pause()  # takes effect after the first batch
    with qtbot.waitSignal(worker.progress, timeout=60_000):
        holder.start()
    qtbot.wait(300)
    assert steps == [1] and holder.is_running() and worker.paused
    with qtbot.waitSignal(holder.ended, timeout=60_000):
        worker.resume()
    assert steps == [1, 2, 3, 4]


def test_an_exception_in_fit_reaches_failed_with_its_message(qapp, monkeypatch):
    def broken_fit(self, *args, **kwargs):
        raise RuntimeError("simulated out of memory")

    monkeypatch.setattr(keras.Model, "fit", broken_fit)
    worker = TrainingWorker("dense", TINY, validate=False, evaluate_after=False)
    seen = _record(worker)
    worker.run()
    kinds = [kind for kind, _ in seen]
    assert "finished" not in kinds and kinds[-2:] == ["failed", "done"]
    assert seen[-2][1] == "RuntimeError: simulated out of memory"
    assert "broken_fit" in worker.last_traceback


@pytest.mark.slow
def test_a_nan_loss_stops_the_run_and_hands_out_no_model(qapp):
    recipe = Recipe(epochs=2, batch_size=32, learning_rate=1e9, augment=False, train_size=512)
    worker = TrainingWorker("cnn", recipe, validate=False, evaluate_after=True, throttle_s=0.0)
    seen = _record(worker)
    worker.run()
    outcome = [value for kind, value in seen if kind == "finished"][0]
    assert outcome.nan and outcome.model is None and outcome.evaluation is None
    assert outcome.nan_at is not None and outcome.nan_at[0] == 1
    steps = [int(info["step"]) for kind, info in seen if kind == "progress"]
    assert steps[-1] == outcome.nan_at[1] < 16  # stopped long before the 32 batches


def test_evaluation_worker_reports_on_the_10000_test_digits(qapp):
    worker = EvaluationWorker(bundled_model_path("dense"))
    reports, failures = [], []
    worker.finished.connect(reports.append)
    worker.failed.connect(failures.append)
    worker.run()
    assert not failures
    report = reports[0]
    assert report.confusion.sum() == len(report.labels) == 10_000
    assert 0.5 < report.accuracy <= 1.0
    assert np.trace(report.confusion) == int((report.predictions == report.labels).sum())
    wrong = report.misclassified
    assert len(wrong) == 10_000 - np.trace(report.confusion)
    assert np.all(np.diff(report.confidence[wrong]) <= 0)


def test_evaluation_worker_reports_a_bad_file_as_a_message(qapp, tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    worker = EvaluationWorker(bad)
    failures = []
    worker.failed.connect(failures.append)
    worker.run()
    assert failures and "not a Keras model archive" in failures[0]


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["cnn", "dense"])
def test_the_trained_model_keeps_the_live_contract(qapp, arch):
    worker = TrainingWorker(arch, TINY, validate=False, evaluate_after=False)
    seen = _record(worker)
    worker.run()
    model = seen[-2][1].model
    assert model.input_shape[1:] == (28, 28, 1) and model.output_shape[1:] == (10,)


@pytest.mark.slow
def test_selftest_checks_pass_and_leave_the_live_models_alone(qapp):
    from digitlab.app.selftest.check_training import check_cancel, check_save_load, check_train

    class Live:
        def __init__(self):
            self.calls = []

        def set_model(self, name, model, source=""):
            self.calls.append(name)

    live = Live()
    assert check_train(live)
    assert check_cancel(live)
    assert check_save_load(live)
    assert live.calls == []
    live.set_model("cnn", None)  # the real method is back after check_cancel
    assert live.calls == ["cnn"]
