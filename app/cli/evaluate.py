"""``digitlab evaluate``: accuracy and confusion matrix per model on MNIST, an ``.npz``, labelled
stroke drawings, or a folder of your own image classes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import numpy as np

from digitlab.app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    InputBlocks,
    UsageError,
    inference_core,
    known_rules,
    preprocess_stroke_record,
    quiet_tensorflow,
    stroke_lines,
)
from digitlab.model.data.mnist import load_dataset, load_mnist, mnist_test_inputs, to_model_input
from digitlab.model.nets.accuracy import score_answers
from digitlab.model.nets.wording import plural
from digitlab.model.preprocess.frame import PreprocessError


def _digit_label(record) -> int:
    """The ``"label"`` of a labelled strokes line: a whole number 0..9, nothing else.

    Raises
    ------
    PreprocessError
        Not an object with a label, or a label that is not a digit (text, null, a list,
        a fraction, out of range, infinite).
    """
    if isinstance(record, Exception):
        raise record
    if not isinstance(record, dict) or "label" not in record:
        raise PreprocessError('not a labelled strokes object (no "label")')
    label = record["label"]
    whole = isinstance(label, int) or (isinstance(label, float) and label.is_integer())
    if isinstance(label, bool) or not whole or not 0 <= label <= 9:
        raise PreprocessError(f"label must be a whole number 0-9, got {json.dumps(label)[:40]}")
    return int(label)


def _evaluation_data(
    spec: str, stderr: TextIO = sys.stderr, bad: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """(inputs, labels, description); a bad ``.jsonl`` line is one stderr line naming it,
    its number appended to ``bad``, and the rest are evaluated."""
    bad = [] if bad is None else bad
    if spec in ("mnist-test", "mnist"):
        data = load_mnist()
        return mnist_test_inputs(), data.y_test.astype(np.int64), "MNIST test (10,000)"
    path = Path(spec)
    if path.suffix.lower() == ".npz":
        data = load_dataset(path)
        return to_model_input(data.x_test), data.y_test.astype(np.int64), f"{path} (x_test)"
    if path.suffix.lower() == ".jsonl":
        xs, ys = InputBlocks(), []
        for n, record in stroke_lines(str(path), sys.stdin):
            try:
                label = _digit_label(record)
                image = preprocess_stroke_record(record)
            except PreprocessError as exc:
                print(f"{path}: line {n}: {exc}", file=stderr)
                bad.append(n)
                continue
            xs.add(np.zeros((28, 28), np.float32) if image is None else image)
            ys.append(label)
        if not xs.count:
            raise UsageError(f"{path}: no labelled drawing could be read")
        return (
            xs.array()[..., None],
            np.asarray(ys, np.int64),
            f"{path} ({plural(xs.count, 'drawing')})",
        )
    raise UsageError(f"{spec}: --data takes mnist-test, an .npz or a labelled .jsonl file")


def _custom_evaluation(args):
    """(core, x, y, label, class names) for a folder, or an .npz judged by a model file."""
    from digitlab.model.data.custom_dataset import load_source

    data = load_source(args.data, size=args.image_size, test_share=args.test_share, seed=args.seed)
    if args.model in (None, "both", "cnn", "dense"):
        if data.num_classes != 10 or data.image_size != 28:
            raise UsageError(
                f"{args.data}: {data.num_classes} classes of {data.image_size}x"
                f"{data.image_size} pictures; the bundled models read 28x28 digits: "
                "give --model FILE.keras"
            )
        core = inference_core(args.model, light=True)
        names = data.class_names
    else:
        quiet_tensorflow()
        from digitlab.model.nets.inference import InferenceCore
        from digitlab.model.nets.model_files import load_model, read_class_names

        model = load_model(args.model, num_classes=data.num_classes, input_shape=None)
        if tuple(model.input_shape[1:3]) != (data.image_size, data.image_size):
            raise UsageError(
                f"{args.model}: reads {model.input_shape[1]}x{model.input_shape[2]} "
                f"pictures; give --image-size {model.input_shape[1]}"
            )
        names = read_class_names(args.model) or data.class_names
        if names != data.class_names:
            raise UsageError(
                f"{args.data}: classes {', '.join(data.class_names)} differ from "
                f"the model's {', '.join(names)}"
            )
        core = InferenceCore({Path(args.model).stem: model})
    x_img, y = data.x_test, data.y_test
    if args.all and Path(args.data).is_dir():
        x_img = np.concatenate([data.x_train, data.x_test])
        y = np.concatenate([data.y_train, data.y_test])
        label = f"{args.data} (all {plural(len(y), 'picture')})"
    elif Path(args.data).is_dir():
        label = (
            f"{args.data} (test split: {args.test_share:.0%} of each class, seed {args.seed}, "
            f"{plural(len(y), 'picture')})"
        )
    else:
        label = f"{args.data} (x_test)"
    if data.skipped:
        label += f"; {plural(len(data.skipped), 'unreadable picture')} skipped"
    return core, to_model_input(x_img), y.astype(np.int64), label, names


def _score_words(result: dict) -> str:
    """What the threshold is compared with, in the text report."""
    temperature = result["known_temperature"]
    if temperature == 1.0:
        return "top probability"
    return f"top probability at temperature {temperature:g}"


def evaluate(args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    """``digitlab evaluate``: accuracy and confusion matrix per model (the digit models through
    the NumPy path when it reads them: no TensorFlow to wait for)."""
    bad_lines: list[int] = []
    model_file = args.model not in (None, "both", "cnn", "dense")
    custom = Path(args.data).is_dir() or (model_file and Path(args.data).suffix.lower() == ".npz")
    if custom:
        core, x, y, label, names = _custom_evaluation(args)
    else:
        x, y, label = _evaluation_data(args.data, stderr, bad_lines)
        core = inference_core(args.model, light=True)
        names = None
    report = {"data": label, "models": {}}
    if names is not None:
        report["class_names"] = list(names)
    rules = known_rules(args.model, core.names)
    answers = core.probabilities(x)
    for name in core.names:
        result = score_answers(answers[name], y, core.num_classes(name))
        known = rules[name].known(result["probabilities"])
        report["models"][name] = {
            "accuracy": result["accuracy"],
            "confusion": result["confusion"],
            "refused": int((~known).sum()),
            "refused_share": float((~known).mean()) if len(known) else None,
            "known_threshold": rules[name].threshold,
            "known_temperature": rules[name].temperature,
            "accepted_and_right": float((known & (result["predictions"] == y)).mean())
            if len(known)
            else None,
        }
    code = EXIT_BAD_INPUT if bad_lines else EXIT_OK
    if bad_lines:
        report["skipped_lines"] = bad_lines
    if args.json:
        stdout.write(json.dumps(report, allow_nan=False) + "\n")
        return code
    stdout.write(f"Data: {label}\n")
    for name, result in report["models"].items():
        k = len(result["confusion"])
        labels = [str(c) for c in (names or range(k))]
        w = max(5, *(len(t) for t in labels)) + 1
        stdout.write(f"\n{name}: accuracy {result['accuracy'] * 100:.2f}%\n")
        stdout.write(
            f"  refused as not a digit: {result['refused']} of {len(y)} "
            f"({result['refused_share'] * 100:.2f}%, {_score_words(result)} below "
            f"{result['known_threshold']:.4f}); accepted and right "
            f"{result['accepted_and_right'] * 100:.2f}%\n"
        )
        corner = "true\\pred"
        stdout.write(f"{corner:>{w}} " + " ".join(f"{c:>{w}}" for c in labels) + "\n")
        for t, row in enumerate(result["confusion"]):
            stdout.write(f"{labels[t]:>{w}} " + " ".join(f"{v:>{w}}" for v in row) + "\n")
    return code
