"""``digitlab classify IMAGE... | --strokes FILE.jsonl``: one JSON line per input."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import numpy as np

from digitlab.app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    inference_core,
    known_thresholds,
    preprocess_stroke_record,
    stroke_lines,
)
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.nets.known import is_known
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.pictures import image_to_input


def _answer(probs: dict[str, np.ndarray], known: dict[str, np.ndarray], i: int) -> dict:
    """One input's line: per model its label, probabilities and whether it knows the drawing
    (``known`` false: "not a digit", see :mod:`digitlab.model.nets.known`)."""
    return {
        name: {
            "label": int(np.argmax(p[i])),
            "probabilities": [round(float(v), 6) for v in p[i]],
            "known": bool(known[name][i]),
        }
        for name, p in probs.items()
    }


def classify(
    args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr, stdin: TextIO = sys.stdin
) -> int:
    """``digitlab classify IMAGE... | --strokes FILE.jsonl``: one JSON line per input."""
    if not args.images and not args.strokes:
        raise UsageError("give image files or --strokes FILE.jsonl")
    # (kind, payload): ("input", array) / ("empty", None) / ("error", dict)
    entries: list[tuple[str, object]] = []
    failed = False
    if args.strokes:
        for n, record in stroke_lines(args.strokes, stdin):
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
    probs, known = {}, {}
    if inputs:
        # NumPy answers without importing TensorFlow (seconds); TensorFlow when it cannot.
        core = inference_core(args.model, light=True)
        probs = core.probabilities(np.stack(inputs))
        thresholds = known_thresholds(args.model, probs)
        known = {name: is_known(p, thresholds[name]) for name, p in probs.items()}
    k = 0
    for kind, payload in entries:
        if kind == "input":
            line = _answer(probs, known, k)
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
