"""``digitlab read IMAGE... | --strokes FILE.jsonl``: read whole numbers, one JSON line each.

Each drawing or picture is split into digits and each digit read by every model
(:class:`digitlab.model.segment.reading.NumberReader`); a line is
``{"input": ..., "cnn": {"text": "2026", "digits": [{"label", "probabilities", "known",
"box"}, ...]}, "dense": {...}}``, boxes ``[x0, y0, x1, y1]`` in the input's pixels, ``"?"`` in
the text for a digit that model does not know. A bad input gets ``{"input": ..., "error":
...}`` on stdout and one line naming it on stderr, the others are still read, and the exit
code is 2.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from digitlab.app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    UsageError,
    inference_core,
    known_rules,
    stroke_lines,
    stroke_record,
)
from digitlab.model.data.images import ImageFileError, load_image
from digitlab.model.preprocess.frame import PreprocessError
from digitlab.model.segment.reading import NumberReader, NumberReading


def number_reader(model_arg: str | None) -> NumberReader:
    """The reader for ``--model`` (as ``classify``: both bundled, ``cnn``, ``dense`` or a
    ``.keras`` file), each model with its "known" rule for a piece of a number stored beside
    its file (threshold :data:`~digitlab.model.nets.known.NUMBER_KEY`, at its temperature)."""
    from digitlab.model.nets.known import NUMBER_KEY

    core = inference_core(model_arg, light=True)
    return NumberReader(core, known_rules(model_arg, core.names, NUMBER_KEY))


def reading_line(name: str, reading: NumberReading) -> dict:
    """The JSON object printed for one input."""
    line: dict = {"input": name}
    if reading.empty:
        line["nothing_drawn"] = True
    line.update(reading.as_json())
    return line


def read(
    args, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr, stdin: TextIO = sys.stdin
) -> int:
    """``digitlab read IMAGE... | --strokes FILE.jsonl``: one JSON line per input."""
    if not args.images and not args.strokes:
        raise UsageError("give image files or --strokes FILE.jsonl")
    reader = None
    failed = False

    def answer(name: str, work) -> None:
        nonlocal reader, failed
        try:
            if reader is None:
                reader = number_reader(args.model)
            line = reading_line(name, work(reader))
        except (ImageFileError, PreprocessError) as exc:
            text = str(exc)
            if not text.startswith(name):
                text = f"{name}: {text}"
            print(text, file=stderr)
            line = {"input": name, "error": str(exc)}
            failed = True
        try:
            text = json.dumps(line, allow_nan=False)
        except ValueError:  # a model answered NaN or infinity: never printed as bare NaN
            print(f"{name}: a model's answer is not finite (NaN or infinite)", file=stderr)
            text = json.dumps(
                {"input": name, "error": "a model's answer is not finite (NaN or infinite)"}
            )
            failed = True
        stdout.write(text + "\n")

    if args.strokes:
        source = "stdin" if args.strokes == "-" else args.strokes
        for n, record in stroke_lines(args.strokes, stdin):
            answer(f"{source}:{n}", lambda r, record=record: _read_record(r, record))
    for path in args.images or []:
        answer(path, lambda r, path=path: r.read_picture(load_image(path)))
    stdout.flush()
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _read_record(reader: NumberReader, record) -> NumberReading:
    return reader.read_strokes(*stroke_record(record))
