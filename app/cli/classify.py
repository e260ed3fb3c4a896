"""``digitlab classify IMAGE... | --strokes FILE.jsonl``: one JSON line per input."""

from __future__ import annotations

import json
import sys
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
    stroke_lines,
)
from digitlab.app.cli.parallel_lines import preprocessed_lines
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.preprocess.pictures import image_to_input


def _answer(
    probs: dict[str, np.ndarray], known: dict[str, np.ndarray], i: int
) -> tuple[dict, bool]:
    """The models' answers to input ``i`` (per model its label, probabilities and whether it
    knows the drawing: ``known`` false is "not a digit", see :mod:`digitlab.model.nets.known`),
    and whether every one is finite (a model whose answer is NaN or infinite gets an error in
    its place: no NaN reaches the output)."""
    line, ok = {}, True
    for name, p in probs.items():
        row = np.asarray(p[i], np.float64)
        if not np.isfinite(row).all():
            line[name] = {"error": "the model's answer is not finite (NaN or infinite)"}
            ok = False
            continue
        line[name] = {
            "label": int(np.argmax(row)),
            "probabilities": [round(float(v), 6) for v in row],
            "known": bool(known[name][i]),
        }
    return line, ok


def classify(
    args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr, stdin: TextIO = sys.stdin
) -> int:
    """``digitlab classify IMAGE... | --strokes FILE.jsonl``: one JSON line per input, in
    order, each with ``"input"`` (the file, or the line number of ``--strokes``); a bad input
    gets an ``"error"`` line (a bad picture is also named on stderr), strict JSON only."""
    if not args.images and not args.strokes:
        raise UsageError("give image files or --strokes FILE.jsonl")
    # (kind, input, payload): ("input", id, index) / ("empty", id, None) / ("error", id, dict)
    entries: list[tuple[str, object, object]] = []
    failed = False
    inputs = InputBlocks()
    if args.strokes:
        lines = stroke_lines(args.strokes, stdin)
        for n, image in preprocessed_lines(lines, preprocess_stroke_record):
            if isinstance(image, PreprocessError):
                entries.append(("error", n, {"error": str(image), "line": n}))
                failed = True
            elif image is None:
                entries.append(("empty", n, None))
            else:
                entries.append(("input", n, inputs.add(image)))
    for path in args.images or []:
        try:
            result = image_to_input(load_image(path))
            if result.empty:
                entries.append(("empty", path, None))
            else:
                entries.append(("input", path, inputs.add(result.image)))
        except (ImageFileError, PreprocessError) as exc:
            text = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
            print(text, file=stderr)
            entries.append(("error", path, {"error": text}))
            failed = True
    probs, known = {}, {}
    if inputs.count:
        # NumPy answers without importing TensorFlow (seconds); TensorFlow when it cannot.
        core = inference_core(args.model, light=True)
        probs = core.probabilities(inputs.array())
        rules = known_rules(args.model, probs)
        known = {name: rules[name].known(p) for name, p in probs.items()}
    k = 0
    for kind, source, payload in entries:
        if kind == "input":
            answer, ok = _answer(probs, known, k)
            failed = failed or not ok
            k += 1
        elif kind == "empty":
            answer = {"nothing_drawn": True}
        else:
            answer = payload
        stdout.write(json.dumps({"input": source, **answer}, allow_nan=False) + "\n")
    stdout.flush()
    return EXIT_BAD_INPUT if failed else EXIT_OK
