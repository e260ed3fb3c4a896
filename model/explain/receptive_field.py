"""Receptive fields computed from a model's real layers: how many input pixels each unit sees.

For a stack of valid-padding convolutions and poolings the field of a unit grows by
``(kernel - 1) * jump`` at each layer, where ``jump`` (the distance in input pixels between
neighbouring units) is the product of the strides so far. ``Flatten`` keeps each value's
field; a ``Dense`` layer after it sees the whole input. Everything here reads the layers'
configs (kernel size, pool size, strides, padding, dilation); nothing is typed in per model.

One computation serves two readers: :func:`receptive_fields` (the Explain tab's
feature-hierarchy table) and :func:`receptive_field` (the Draw tab's hover outline, from the
:class:`FieldStep` s that :func:`field_steps` reads once when a model is loaded). Both grow
the field with :func:`_grow`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INPUT_SIDE = 28
_NOT_SPATIAL = ("Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D")
"""Layer kinds after which every unit sees the whole input."""


@dataclass(frozen=True)
class FieldStep:
    """One spatial layer as the receptive-field arithmetic sees it.

    kernel : effective kernel (or pool) side in units of the layer below, dilation included.
    stride : its stride.
    same : ``same`` padding: the field reaches ``(kernel - 1) // 2`` units into the border.
    """

    name: str
    kernel: int
    stride: int
    same: bool = False


@dataclass(frozen=True)
class _Field:
    """The field of unit 0 after some layers: side ``size``, ``jump`` input pixels between
    neighbouring units, starting at input pixel ``start`` (row = col; < 0 with padding)."""

    size: int = 1
    jump: int = 1
    start: float = 0.0


def _grow(field: _Field, step: FieldStep) -> _Field:
    """The field after one more spatial layer."""
    start = field.start - ((step.kernel - 1) // 2) * field.jump if step.same else field.start
    return _Field(field.size + (step.kernel - 1) * field.jump, field.jump * step.stride, start)


def _clip(field: _Field, row: int, col: int, input_side: int) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` of the unit at ``(row, col)``, clipped to the input."""
    top = int(field.start + row * field.jump)
    left = int(field.start + col * field.jump)
    return top, left, min(field.size, input_side - top), min(field.size, input_side - left)


def _pair(value) -> int:
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise ValueError(f"non-square kernels or strides are not supported: {value}")
        return int(value[0])
    return int(value)


def _step_of(layer) -> FieldStep | None:
    """The :class:`FieldStep` of a Keras layer with a kernel (or pool) and strides, else None."""
    kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    strides = getattr(layer, "strides", None)
    if kernel is None or strides is None:
        return None
    dilation = _pair(getattr(layer, "dilation_rate", 1))
    k = (_pair(kernel) - 1) * dilation + 1
    return FieldStep(layer.name, k, _pair(strides), getattr(layer, "padding", "valid") == "same")


def field_steps(model) -> tuple[FieldStep, ...]:
    """The spatial layers of a Keras model, from the input up, until the first layer that
    sees the whole input (``Dense``, global pooling).

    Raises
    ------
    ValueError
        For non-square kernels or strides (not in this app's models).
    """
    steps = []
    for layer in model.layers:
        if type(layer).__name__ in _NOT_SPATIAL:
            break
        step = _step_of(layer)
        if step is not None:
            steps.append(step)
    return tuple(steps)


def receptive_field(
    steps: Sequence[FieldStep], layer: str, row: int, col: int, input_side: int = INPUT_SIDE
) -> tuple[int, int, int, int]:
    """The input pixels a unit of ``layer`` at ``(row, col)`` sees: ``(top, left, height, width)``.

    ``steps`` are the spatial layers from the input up, in order (:func:`field_steps`). For
    the seed CNN that is 3x3 for conv1, 4x4 after pool1, 8x8 for conv2 and 10x10 after pool2.
    A layer that is not among the steps (dense, output) sees the whole input.
    """
    field = _Field()
    for step in steps:
        field = _grow(field, step)
        if step.name == layer:
            return _clip(field, row, col, input_side)
    return 0, 0, input_side, input_side


@dataclass(frozen=True)
class FieldRow:
    """One layer of the feature hierarchy.

    Attributes
    ----------
    name, kind : the layer's name and class (``conv1``, ``Conv2D``).
    output_shape : the layer's output shape without the batch axis.
    size : receptive field side in input pixels (``INPUT_SIDE`` for non-spatial layers).
    jump : input pixels between neighbouring units (1 for non-spatial layers).
    start : input pixel (row = col) where unit 0's field begins.
    spatial : False once the layer sees the whole input (dense, output).
    detects : what units of this size of field typically respond to, in words.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    size: int
    jump: int
    start: float
    spatial: bool
    detects: str

    def field_of(self, row: int, col: int) -> tuple[int, int, int, int]:
        """Input pixels seen by the unit at ``(row, col)``: ``(top, left, height, width)``,
        clipped to the input."""
        if not self.spatial:
            return 0, 0, INPUT_SIDE, INPUT_SIDE
        return _clip(_Field(self.size, self.jump, self.start), row, col, INPUT_SIDE)


def _detects(kind: str, size: int, spatial: bool, is_last: bool, previous: str) -> str:
    """Words for what a field of ``size`` pixels can see, from MNIST's scale (strokes are
    2-3 px wide, a digit fills a 20-px box)."""
    if is_last:
        return "the digit: one unit per class"
    if not spatial and previous == "the input pixels":
        return "whole-digit templates: each unit weighs all the pixels at once"
    if not spatial:
        return "whole-digit shapes: combinations of the parts below, anywhere in the image"
    if kind.endswith("Pooling2D"):
        return f"{previous}, tolerating a shift of a pixel or two"
    if size <= 5:
        return "edges, stroke ends and short pieces of stroke at one angle"
    if size <= 12:
        return "curves, corners, crossings and stroke junctions"
    return "digit parts: loops, bars and hooks"


def receptive_fields(model, input_side: int = INPUT_SIDE) -> list[FieldRow]:
    """The feature-hierarchy table of a Keras model, from its layers' configs.

    Parameters
    ----------
    model : a built Keras model taking ``(input_side, input_side, 1)``.

    Returns
    -------
    One :class:`FieldRow` per layer (``InputLayer`` left out), in order. For the seed CNN the
    sizes are 3, 4, 8, 10 for conv1, pool1, conv2, pool2 and 28 after; the dense network's
    hidden units see all 28x28 pixels.

    Raises
    ------
    ValueError
        For non-square kernels or strides (not in this app's models).
    """
    import keras

    rows: list[FieldRow] = []
    field = _Field()
    spatial = True
    previous = "the input pixels"
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for i, layer in enumerate(layers):
        kind = type(layer).__name__
        step = _step_of(layer) if spatial else None
        if step is not None:
            field = _grow(field, step)
        elif kind in _NOT_SPATIAL:
            spatial = False
        shape = tuple(int(d) for d in layer.output.shape[1:])
        if kind == "Flatten" and spatial:
            # Flatten moves values, not fields: each of its units still sees one patch.
            words = (
                "the same features as the layer before, laid out in one row"
                if rows
                else "the input pixels themselves, one per unit"
            )
            rows.append(
                FieldRow(
                    layer.name,
                    kind,
                    shape,
                    min(field.size, input_side),
                    field.jump,
                    field.start,
                    True,
                    words,
                )
            )
            continue
        if not spatial:
            row_size, row_jump, row_start = input_side, 1, 0.0
        else:
            row_size, row_jump, row_start = min(field.size, input_side), field.jump, field.start
        detects = _detects(kind, row_size, spatial, i == len(layers) - 1, previous)
        rows.append(
            FieldRow(layer.name, kind, shape, row_size, row_jump, row_start, spatial, detects)
        )
        if not kind.endswith("Pooling2D") and kind != "Flatten":
            previous = detects
    return rows


def field_table(rows: Sequence[FieldRow]) -> list[tuple[str, str, str, str]]:
    """Rows of text for a table: layer (kind), what it detects, receptive field, jump."""
    out = []
    for r in rows:
        shape = "×".join(str(d) for d in r.output_shape)
        field = f"{r.size}×{r.size} px" if r.spatial else f"all {r.size}×{r.size} px"
        if r.kind == "Flatten":
            field += " each"
        step = f"every {r.jump} px" if r.spatial else "—"
        out.append((f"{r.name} ({r.kind}, {shape})", r.detects, field, step))
    return out
