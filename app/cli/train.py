"""``digitlab train --model cnn|dense``: train a seed model on MNIST or your own classes, save
it atomically and record its metrics."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

import numpy as np

from digitlab.app.cli.common import EXIT_OK, UsageError
from digitlab.app.cli.train_arguments import check_arguments
from digitlab.app.cli.train_arguments import read_metrics as _read_metrics
from digitlab.model import __version__
from digitlab.model.data.mnist import load_mnist, to_model_input
from digitlab.model.nets.wording import plural


def _progress_bar(stream: TextIO):
    state = {"last": 0.0}

    def on_progress(event: dict) -> None:
        now = time.perf_counter()
        kind = event["kind"]
        if kind == "prepare":
            if event["done"] == event["total"] or now - state["last"] > 0.5:
                state["last"] = now
                stream.write(f"\rpreparing augmented digits {event['done']}/{event['total']}   ")
                if event["done"] == event["total"]:
                    stream.write("\n")
        elif kind == "batch":
            if now - state["last"] > 0.25 or event["batch"] == event["batches"]:
                state["last"] = now
                done = event["batch"] / event["batches"]
                bar = "#" * int(done * 30)
                logs = event["logs"]
                stream.write(
                    f"\repoch {event['epoch'] + 1}/{event['epochs']} [{bar:<30}] "
                    f"{event['batch']}/{event['batches']} "
                    f"loss {logs.get('loss', float('nan')):.4f} "
                    f"acc {logs.get('accuracy', float('nan')):.4f}   "
                )
        elif kind == "epoch":
            logs = event["logs"]
            stream.write(
                f"\repoch {event['epoch']}/{event['epochs']} done: loss {logs.get('loss', 0):.4f} "
                f"acc {logs.get('accuracy', 0):.4f} "
                f"val_acc {logs.get('val_accuracy', float('nan')):.4f} "
                f"({event['elapsed_s']:.0f} s)" + " " * 20 + "\n"
            )
        stream.flush()

    return on_progress


def train(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab train --model cnn|dense``: train, save atomically, write metrics JSON."""
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.model_files import save_model, write_json_atomic
    from digitlab.model.nets.training import Recipe
    from digitlab.model.nets.training import evaluate as evaluate_model
    from digitlab.model.nets.training import train as train_model
    from digitlab.model.preprocess.augment import AugmentConfig

    # (epochs, peak learning rate, share of distorted digits): the dense net has less
    # capacity, so it sees more clean MNIST to stay above its bar on the test set.
    defaults = {"cnn": (20, 2e-3, 0.75), "dense": (40, 2e-3, 0.5)}
    epochs_default, lr_default, share_default = defaults[args.model]
    out, metrics_path = check_arguments(args)  # every bad value refused before any work
    data, custom = _training_data(args)
    if custom:
        epochs_default = 30  # small datasets: more passes, each is short
    share = share_default if args.augment_share is None else args.augment_share
    copies = getattr(args, "augmented_copies", 3)
    recipe = Recipe(
        epochs=args.epochs if args.epochs is not None else epochs_default,
        learning_rate=args.learning_rate if args.learning_rate is not None else lr_default,
        seed=args.seed,
        augment=not args.no_augment and not custom,
        train_size=args.train_size,
        batch_size=args.batch_size or (32 if custom else 128),
        augmented_copies=copies,
        augment_config=AugmentConfig(probability=share),
        distill=args.distill if args.teacher else 0.0,
        distill_temperature=args.temperature,
    )
    teacher = None
    if args.teacher:
        from digitlab.model.nets.model_files import load_model

        files = [args.teacher] if isinstance(args.teacher, str) else list(args.teacher)
        teacher = [load_model(f, num_classes=data.num_classes) for f in files]
    import keras

    keras.utils.set_random_seed(recipe.seed)  # the initial weights too, for reproducible runs
    size = int(data.x_train.shape[1])
    model = build(args.model, num_classes=data.num_classes, input_shape=(size, size, 1))
    progress = None if stderr is None else _progress_bar(stderr)  # no console: no bar
    result = train_model(model, data, recipe, on_progress=progress, teacher=teacher)
    if result["nan"]:
        print(
            f"training stopped: the loss became NaN (learning rate {recipe.learning_rate:g} "
            "too high?)",
            file=stderr,
        )
        return 1
    test = evaluate_model(
        model, to_model_input(data.x_test), data.y_test.astype(np.int64), data.num_classes
    )
    names = getattr(data, "class_names", None) or tuple(str(i) for i in range(data.num_classes))
    try:
        save_model(model, out, class_names=names)
    except OSError as exc:
        raise UsageError(f"{out}: could not be saved ({exc.strerror or exc})") from exc
    metrics = _read_metrics(metrics_path)
    key = out.stem if custom else args.model
    metrics[key] = {
        "file": out.name,
        "test_accuracy": round(test["accuracy"], 6),
        "test_images": int(len(data.x_test)),
        "parameters": int(model.count_params()),
        "epochs": result["epochs_run"],
        "seed": recipe.seed,
        "seconds": round(result["seconds"], 1),
        "recipe": recipe.as_dict(),
        "teacher": _teacher_label(args.teacher),
        "history": result["history"],
        "class_names": list(names),
        "confusion": test["confusion"],
        "data": str(args.data) if args.data else "mnist",
        "digitlab_version": __version__,
        "command": "digitlab " + " ".join(args.argv),
    }
    try:
        write_json_atomic(metrics_path, metrics)
    except OSError as exc:
        raise UsageError(
            f"{metrics_path}: could not be saved ({exc.strerror or exc}); the model is in {out}"
        ) from exc
    stdout.write(
        f"{args.model}: test accuracy {test['accuracy'] * 100:.2f}% "
        f"after {plural(result['epochs_run'], 'epoch')} "
        f"in {result['seconds']:.0f} s; saved {out} and {metrics_path}\n"
    )
    if custom:
        skipped = (
            f"; {plural(len(data.skipped), 'unreadable picture')} skipped" if data.skipped else ""
        )
        stdout.write(
            f"classes: {', '.join(names)} ({len(data.x_train):,} training, "
            f"{plural(len(data.x_test), 'test picture')} of {size}x{size}{skipped})\n"
        )
    return EXIT_OK


def _teacher_label(teacher) -> str | None:
    """The ``--teacher`` file(s) as recorded in the metrics: one name, or ``a + b + ...``."""
    if not teacher:
        return None
    return teacher if isinstance(teacher, str) else " + ".join(map(str, teacher))


def _training_data(args):
    """(dataset, custom?): MNIST, an MNIST .npz of digits, or your own classes.

    A folder of class subfolders, or an .npz with other than the ten digit classes or with
    ``class_names``, is "custom": no digit augmentation, class names saved with the model.
    """
    if not args.data:
        return load_mnist(), False
    from digitlab.model.data.custom_dataset import DIGIT_NAMES, load_source

    data = load_source(args.data, size=args.image_size, test_share=args.test_share, seed=args.seed)
    digits = (
        data.class_names == DIGIT_NAMES and data.image_size == 28 and not Path(args.data).is_dir()
    )
    return data, not digits
