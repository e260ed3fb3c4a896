"""The Qt-free command-line verbs: ``train``, ``classify``, ``evaluate`` and ``bytes-to-image``.

Each takes parsed arguments, writes results to the given streams and returns an exit code:
0 success, 2 for bad input (one line on stderr naming the file and the reason).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from digitlab.model import __version__
from digitlab.model.binaries.bytes_image import BytesImageError
from digitlab.model.data.mnist import (
    DatasetError,
    load_dataset,
    load_mnist,
    mnist_test_inputs,
    to_model_input,
)
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.nets.model_files import ModelFileError
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.pictures import image_to_input
from digitlab.model.preprocess.strokes import strokes_to_input
from digitlab.model.data.bundled import MNIST_PATH

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class UsageError(ValueError):
    """A bad argument or file: printed as one line, exit code 2."""


def quiet_tensorflow() -> None:
    """Keep TensorFlow's C++ start-up chatter off the console."""
    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()


def _core(model_arg: str | None):
    from digitlab.model.nets.inference import InferenceCore

    if model_arg in (None, "both"):
        return InferenceCore()
    if model_arg in ("cnn", "dense"):
        from digitlab.model.data.bundled import bundled_model_path

        return InferenceCore({model_arg: bundled_model_path(model_arg)})
    from digitlab.model.nets.model_files import load_model

    # Checked here for the 10 digit classes: the core alone accepts any number of classes.
    return InferenceCore({Path(model_arg).stem: load_model(model_arg, num_classes=10)})


# --------------------------------------------------------------------------- classify


def _stroke_lines(path: str, stdin: TextIO) -> Iterator[tuple[int, object]]:
    """(line number, parsed JSON or the exception) for each non-blank line."""
    if path == "-":
        stream = stdin
        close = False
    else:
        try:
            stream = open(path, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror or exc}") from exc
        close = True
    try:
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                yield n, PreprocessError(f"not JSON ({exc})")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not a UTF-8 text file") from exc
    finally:
        if close:
            stream.close()


def preprocess_stroke_record(record) -> np.ndarray | None:
    """A ``--strokes`` JSON object -> ``(28, 28)`` input, or None when nothing is drawn."""
    if isinstance(record, Exception):
        raise record
    if not isinstance(record, dict) or "strokes" not in record:
        raise PreprocessError("a line must be an object with \"strokes\" (and \"canvas\")")
    canvas = record.get("canvas", [280, 280])
    result = strokes_to_input(record["strokes"], canvas)
    return None if result.empty else result.image


def _answer(probs: dict[str, np.ndarray], i: int) -> dict:
    return {
        name: {"label": int(np.argmax(p[i])), "probabilities": [round(float(v), 6) for v in p[i]]}
        for name, p in probs.items()
    }


def classify(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr, stdin: TextIO = sys.stdin) -> int:
    """``digitlab classify IMAGE... | --strokes FILE.jsonl``: one JSON line per input."""
    if not args.images and not args.strokes:
        raise UsageError("give image files or --strokes FILE.jsonl")
    entries: list[tuple[str, object]] = []  # (kind, payload): ("input", array) / ("empty", None) / ("error", dict)
    failed = False
    if args.strokes:
        for n, record in _stroke_lines(args.strokes, stdin):
            try:
                image = preprocess_stroke_record(record)
                entries.append(("empty", None) if image is None else ("input", image))
            except PreprocessError as exc:
                entries.append(("error", {"error": str(exc), "line": n}))
                failed = True
    for path in args.images or []:
        try:
            result = image_to_input(load_image(path))
            entries.append(("empty", {"file": path}) if result.empty else ("input", result.image))
        except (ImageFileError, PreprocessError) as exc:
            text = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            print(text, file=stderr)
            entries.append(("skip", None))
            failed = True
    inputs = [payload for kind, payload in entries if kind == "input"]
    probs = {}
    if inputs:
        core = _core(args.model)
        probs = core.probabilities(np.stack(inputs))
    k = 0
    for kind, payload in entries:
        if kind == "input":
            line = _answer(probs, k)
            k += 1
        elif kind == "empty":
            line = {"nothing_drawn": True, **(payload or {})}
        elif kind == "error":
            line = payload
        else:
            continue
        stdout.write(json.dumps(line) + "\n")
    stdout.flush()
    return EXIT_BAD_INPUT if failed else EXIT_OK


# --------------------------------------------------------------------------- evaluate


def _evaluation_data(spec: str) -> tuple[np.ndarray, np.ndarray, str]:
    if spec in ("mnist-test", "mnist"):
        data = load_mnist()
        return mnist_test_inputs(), data.y_test.astype(np.int64), "MNIST test (10,000)"
    path = Path(spec)
    if path.suffix.lower() == ".npz":
        data = load_dataset(path)
        return to_model_input(data.x_test), data.y_test.astype(np.int64), f"{path} (x_test)"
    if path.suffix.lower() == ".jsonl":
        xs, ys = [], []
        for n, record in _stroke_lines(str(path), sys.stdin):
            if isinstance(record, Exception) or not isinstance(record, dict) or "label" not in record:
                raise UsageError(f"{path}: line {n} is not a labelled strokes object")
            image = preprocess_stroke_record(record)
            xs.append(np.zeros((28, 28), np.float32) if image is None else image)
            ys.append(int(record["label"]))
        if not xs:
            raise UsageError(f"{path}: no rows")
        return np.stack(xs)[..., None], np.asarray(ys, np.int64), f"{path} ({len(xs)} drawings)"
    raise UsageError(f"{spec}: --data takes mnist-test, an .npz or a labelled .jsonl file")


def _custom_evaluation(args):
    """(core, x, y, label, class names) for a folder, or an .npz judged by a model file."""
    from digitlab.model.data.custom_dataset import load_source
    from digitlab.model.nets.inference import InferenceCore
    from digitlab.model.nets.model_files import load_model, read_class_names

    data = load_source(args.data, size=args.image_size, test_share=args.test_share, seed=args.seed)
    if args.model in (None, "both", "cnn", "dense"):
        if data.num_classes != 10 or data.image_size != 28:
            raise UsageError(f"{args.data}: {data.num_classes} classes of {data.image_size}x"
                             f"{data.image_size} pictures; the bundled models read 28x28 digits: "
                             "give --model FILE.keras")
        core = _core(args.model)
        names = data.class_names
    else:
        model = load_model(args.model, num_classes=data.num_classes, input_shape=None)
        if tuple(model.input_shape[1:3]) != (data.image_size, data.image_size):
            raise UsageError(f"{args.model}: reads {model.input_shape[1]}x{model.input_shape[2]} "
                             f"pictures; give --image-size {model.input_shape[1]}")
        names = read_class_names(args.model) or data.class_names
        if names != data.class_names:
            raise UsageError(f"{args.data}: classes {', '.join(data.class_names)} differ from "
                             f"the model's {', '.join(names)}")
        core = InferenceCore({Path(args.model).stem: model})
    x_img, y = data.x_test, data.y_test
    if args.all and Path(args.data).is_dir():
        x_img, y = np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])
        label = f"{args.data} (all {len(y)} pictures)"
    elif Path(args.data).is_dir():
        label = (f"{args.data} (test split: {args.test_share:.0%} of each class, seed {args.seed}, "
                 f"{len(y)} pictures)")
    else:
        label = f"{args.data} (x_test)"
    if data.skipped:
        label += f"; {len(data.skipped)} unreadable pictures skipped"
    return core, to_model_input(x_img), y.astype(np.int64), label, names


def evaluate(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab evaluate``: accuracy and confusion matrix per model."""
    from digitlab.model.nets.training import evaluate as evaluate_model

    model_file = args.model not in (None, "both", "cnn", "dense")
    custom = Path(args.data).is_dir() or (model_file and Path(args.data).suffix.lower() == ".npz")
    if custom:
        core, x, y, label, names = _custom_evaluation(args)
    else:
        x, y, label = _evaluation_data(args.data)
        core = _core(args.model)
        names = None
    report = {"data": label, "models": {}}
    if names is not None:
        report["class_names"] = list(names)
    for name in core.names:
        result = evaluate_model(core.model(name), x, y, num_classes=core.num_classes(name))
        report["models"][name] = {"accuracy": result["accuracy"], "confusion": result["confusion"]}
    if args.json:
        stdout.write(json.dumps(report) + "\n")
        return EXIT_OK
    stdout.write(f"Data: {label}\n")
    for name, result in report["models"].items():
        k = len(result["confusion"])
        labels = [str(c) for c in (names or range(k))]
        w = max(5, *(len(t) for t in labels)) + 1
        stdout.write(f"\n{name}: accuracy {result['accuracy'] * 100:.2f}%\n")
        corner = "true\\pred"
        stdout.write(f"{corner:>{w}} " + " ".join(f"{c:>{w}}" for c in labels) + "\n")
        for t, row in enumerate(result["confusion"]):
            stdout.write(f"{labels[t]:>{w}} " + " ".join(f"{v:>{w}}" for v in row) + "\n")
    return EXIT_OK


# --------------------------------------------------------------------------- bytes-to-image


def bytes_to_image(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab bytes-to-image FILE... --out DIR [--width W]``: one greyscale PNG per file
    (one byte per pixel), then one JSON summary line; unreadable files are named on stderr."""
    from digitlab.model.binaries.bytes_image import MAX_WIDTH, MIN_WIDTH, convert_files, summary_line

    if not args.files:
        raise UsageError("give the files to render")
    if args.width is not None and not MIN_WIDTH <= args.width <= MAX_WIDTH:
        raise UsageError(f"--width must be {MIN_WIDTH}..{MAX_WIDTH}, got {args.width}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: --out must be a folder")
    try:
        results = convert_files(args.files, out, args.width)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write there ({exc.strerror or exc})") from exc
    for r in results:
        if r.error:
            print(r.error, file=stderr)
    stdout.write(summary_line(results, out) + "\n")
    return EXIT_BAD_INPUT if any(r.error for r in results) else EXIT_OK


# --------------------------------------------------------------------------- train


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
                    f"{event['batch']}/{event['batches']} loss {logs.get('loss', float('nan')):.4f} "
                    f"acc {logs.get('accuracy', float('nan')):.4f}   "
                )
        elif kind == "epoch":
            logs = event["logs"]
            stream.write(
                f"\repoch {event['epoch']}/{event['epochs']} done: loss {logs.get('loss', 0):.4f} "
                f"acc {logs.get('accuracy', 0):.4f} val_acc {logs.get('val_accuracy', float('nan')):.4f} "
                f"({event['elapsed_s']:.0f} s)" + " " * 20 + "\n"
            )
        stream.flush()

    return on_progress


def train(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab train --model cnn|dense``: train, save atomically, write metrics JSON."""
    from digitlab.model.nets.architectures import build
    from digitlab.model.nets.model_files import save_model, write_json_atomic
    from digitlab.model.nets.training import Recipe, evaluate as evaluate_model, train as train_model

    from digitlab.model.preprocess.augment import AugmentConfig

    # (epochs, peak learning rate, share of distorted digits): the dense net has less
    # capacity, so it sees more clean MNIST to stay above its bar on the test set.
    defaults = {"cnn": (20, 2e-3, 0.75), "dense": (40, 2e-3, 0.5)}
    epochs_default, lr_default, share_default = defaults[args.model]
    data, custom = _training_data(args)
    if custom:
        epochs_default = 30  # small datasets: more passes, each is short
    share = share_default if args.augment_share is None else args.augment_share
    if not 0.0 <= share <= 1.0:
        raise UsageError(f"--augment-share must be between 0 and 1, got {share}")
    copies = getattr(args, "augmented_copies", 3)
    if copies < 1:
        raise UsageError(f"--augmented-copies must be at least 1, got {copies}")
    out = Path(args.out) if args.out else Path(f"{args.model}.keras")
    if out.suffix.lower() != ".keras":
        raise UsageError(f"{out}: --out must end in .keras")
    recipe = Recipe(
        epochs=args.epochs or epochs_default,
        learning_rate=args.learning_rate or lr_default,
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
    stream = stderr if stderr is not None else open(os.devnull, "w")
    result = train_model(model, data, recipe, on_progress=_progress_bar(stream), teacher=teacher)
    if result["nan"]:
        print(f"training stopped: the loss became NaN (learning rate {recipe.learning_rate:g} too high?)", file=stderr)
        return 1
    test = evaluate_model(model, to_model_input(data.x_test), data.y_test.astype(np.int64), data.num_classes)
    names = getattr(data, "class_names", None) or tuple(str(i) for i in range(data.num_classes))
    save_model(model, out, class_names=names)
    metrics_path = Path(args.metrics) if args.metrics else out.with_name("metrics.json")
    metrics = {}
    if metrics_path.exists():
        try:
            metrics = json.loads(metrics_path.read_text("utf-8"))
        except (OSError, ValueError):
            metrics = {}
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
        "teacher": (args.teacher if isinstance(args.teacher, str) else " + ".join(map(str, args.teacher)))
        if args.teacher else None,
        "history": result["history"],
        "class_names": list(names),
        "confusion": test["confusion"],
        "data": str(args.data) if args.data else "mnist",
        "digitlab_version": __version__,
        "command": "digitlab " + " ".join(args.argv),
    }
    write_json_atomic(metrics_path, metrics)
    stdout.write(
        f"{args.model}: test accuracy {test['accuracy'] * 100:.2f}% after {result['epochs_run']} epochs "
        f"in {result['seconds']:.0f} s; saved {out} and {metrics_path}\n"
    )
    if custom:
        skipped = f"; {len(data.skipped)} unreadable pictures skipped" if data.skipped else ""
        stdout.write(f"classes: {', '.join(names)} ({len(data.x_train)} training, "
                     f"{len(data.x_test)} test pictures of {size}x{size}{skipped})\n")
    return EXIT_OK


def _training_data(args):
    """(dataset, custom?): MNIST, an MNIST .npz of digits, or your own classes.

    A folder of class subfolders, or an .npz with other than the ten digit classes or with
    ``class_names``, is "custom": no digit augmentation, class names saved with the model.
    """
    if not args.data:
        return load_mnist(), False
    from digitlab.model.data.custom_dataset import DIGIT_NAMES, load_source

    data = load_source(args.data, size=args.image_size, test_share=args.test_share, seed=args.seed)
    digits = data.class_names == DIGIT_NAMES and data.image_size == 28 and not Path(args.data).is_dir()
    return data, not digits


def run(args, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Dispatch a parsed Qt-free command, turning known errors into one line and exit 2."""
    # A windowed (frozen) build has no console: sys.stdout and sys.stderr are None there.
    stdout = stdout or sys.stdout or open(os.devnull, "w")
    stderr = stderr or sys.stderr or open(os.devnull, "w")
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        quiet_tensorflow()  # other backends (JAX on a GPU machine) need no TensorFlow at all
    handlers = {"classify": classify, "evaluate": evaluate, "train": train,
                "bytes-to-image": bytes_to_image}
    try:
        return handlers[args.command](args, stdout=stdout, stderr=stderr)
    except (UsageError, DatasetError, ModelFileError, ImageFileError, PreprocessError,
            BytesImageError) as exc:
        print(f"digitlab {args.command}: {exc}", file=stderr)
        return EXIT_BAD_INPUT
