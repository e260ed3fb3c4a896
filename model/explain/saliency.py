"""Where a model looked: occlusion sensitivity and Grad-CAM for one 28x28 input.

* Occlusion: cover the input with a ``patch x patch`` square of background at every
  ``stride`` px (all positions in one batch, one model call) and record how much the
  probability of the class drops; each pixel gets the mean drop of the patches covering it.
* Grad-CAM (the CNN): the gradient of the class's logit with respect to ``conv2``'s 11x11x64
  maps, averaged per channel, weights the maps; their positive sum, normalised to 0..1, is
  mapped back onto the input through each conv2 unit's receptive-field centre.

The :class:`Explainer` keeps its own copies of the models and compiled functions; use it from
one thread only (TensorFlow objects are not thread-safe).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from digitlab.model.explain.receptive_field import receptive_fields
from digitlab.model.nets.inference import copy_model
from digitlab.model.preprocess.frame import SIDE, as_model_batch

PATCH = 6
"""Side of the occluding square, input px (a stroke is 2-3 px wide; 6 covers a stroke piece)."""
STRIDE = 2
"""Step between occluding squares, px: 12 x 12 = 144 positions on 28 x 28."""
GRADCAM_LAYER = "conv2"


def patch_starts(side: int = SIDE, patch: int = PATCH, stride: int = STRIDE) -> np.ndarray:
    """Top-left offsets along one axis, the last one flush with the edge."""
    starts = list(range(0, side - patch + 1, stride))
    if starts[-1] != side - patch:
        starts.append(side - patch)
    return np.asarray(starts, np.int64)


def occluded_batch(
    image: np.ndarray, patch: int = PATCH, stride: int = STRIDE, fill: float = 0.0
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Every occluded copy of ``image``: float32 ``(n, 28, 28, 1)`` and the ``(top, left)``
    of each copy's patch."""
    img = np.asarray(image, np.float32).reshape(SIDE, SIDE)
    starts = patch_starts(SIDE, patch, stride)
    positions = [(int(t), int(left)) for t in starts for left in starts]
    batch = np.repeat(img[None], len(positions), axis=0)
    for i, (t, left) in enumerate(positions):
        batch[i, t : t + patch, left : left + patch] = fill
    return batch[..., None], positions


def occlusion_map(
    drops: np.ndarray, positions: list[tuple[int, int]], patch: int = PATCH
) -> np.ndarray:
    """Spread each patch's probability drop over the pixels it covered (mean per pixel).

    Returns float32 ``(28, 28)`` in -1..1: positive where covering the pixel lowers the class.
    """
    total = np.zeros((SIDE, SIDE), np.float64)
    count = np.zeros((SIDE, SIDE), np.float64)
    for d, (t, left) in zip(np.asarray(drops, np.float64), positions, strict=True):
        total[t : t + patch, left : left + patch] += d
        count[t : t + patch, left : left + patch] += 1
    return (total / np.maximum(count, 1)).astype(np.float32)


def occlusion(
    predict, image: np.ndarray, target: int, patch: int = PATCH, stride: int = STRIDE
) -> np.ndarray:
    """Occlusion sensitivity of class ``target`` for one input.

    Parameters
    ----------
    predict : ``f(batch) -> probabilities``: float32 ``(n, 28, 28, 1)`` -> ``(n, classes)``.
        Called once, with the unoccluded image first and every occluded copy after it.
    image : float32 ``(28, 28)`` in 0..1 (a model input).
    target : the class whose probability is watched.

    Returns
    -------
    float32 ``(28, 28)`` in -1..1: the mean drop of ``P(target)`` when a patch covered the
    pixel (0 where covering changes nothing, e.g. empty background).
    """
    batch, positions = occluded_batch(image, patch, stride)
    full = np.concatenate([as_model_batch(image), batch])
    probs = np.asarray(predict(full), np.float32)
    drops = probs[0, target] - probs[1:, target]
    return occlusion_map(drops, positions, patch)


def upsample_cam(
    cam: np.ndarray, start: float, jump: float, size: float, side: int = SIDE
) -> np.ndarray:
    """Map an ``(h, w)`` layer map onto the ``side x side`` input by the units' field centres.

    Unit ``i``'s field centre is ``start + i * jump + size / 2`` (pixel edges); each input
    pixel centre is bilinearly interpolated between the nearest units (clamped at the rim).
    Returns float32 ``(side, side)``.
    """
    cam = np.asarray(cam, np.float64)
    h, w = cam.shape
    centres = np.arange(side) + 0.5
    u = (centres - start - size / 2.0) / jump

    def axis(n):
        x = np.clip(u, 0, n - 1)
        lo = np.floor(x).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        return lo, hi, x - lo

    r0, r1, fr = axis(h)
    c0, c1, fc = axis(w)
    top = cam[r0][:, c0] * (1 - fc) + cam[r0][:, c1] * fc
    bottom = cam[r1][:, c0] * (1 - fc) + cam[r1][:, c1] * fc
    return (top * (1 - fr)[:, None] + bottom * fr[:, None]).astype(np.float32)


@dataclass(frozen=True)
class GradCam:
    """Grad-CAM of one class.

    layer_map : float32 ``(h, w)`` in 0..1 on the layer's grid (11x11 for conv2).
    input_map : float32 ``(28, 28)`` in 0..1, the same mapped onto the input.
    peak : the largest raw (unnormalised) value; 0 when nothing in the layer speaks for the
        class (then both maps are zeros).
    """

    layer_map: np.ndarray
    input_map: np.ndarray
    peak: float


class _ModelExplainer:
    """One model copy with a compiled probability function and, when it has ``conv2``, a
    compiled Grad-CAM gradient."""

    def __init__(self, model: keras.Model):
        self.model = copy_model(model)
        spec = tf.TensorSpec((None, SIDE, SIDE, 1), tf.float32)
        # autograph=False: plain TensorFlow calls, nothing to convert (and a frozen build has
        # no source for AutoGraph to read: it would warn at every start).
        self._probs = tf.function(
            lambda x: self.model(x, training=False), input_signature=[spec], autograph=False
        )
        self.num_classes = int(self.model.output_shape[-1])
        self.gradcam_layer: str | None = None
        self._grad = None
        names = [layer.name for layer in self.model.layers]
        if GRADCAM_LAYER in names:
            self.gradcam_layer = GRADCAM_LAYER
            self.field = next(r for r in receptive_fields(self.model) if r.name == GRADCAM_LAYER)
            self._grad = self._compile_grad()

    def _compile_grad(self):
        model = self.model
        last = model.layers[-1]
        conv = model.get_layer(GRADCAM_LAYER).output
        # Grad-CAM wants the class score before the softmax (a saturated probability has a
        # vanishing gradient): take the last Dense layer's input and apply its weights.
        use_logits = (
            isinstance(last, keras.layers.Dense)
            and getattr(last.activation, "__name__", "") == "softmax"
        )
        outputs = [conv, last.input if use_logits else model.output]
        grad_model = keras.Model(model.inputs[0], outputs)
        spec = tf.TensorSpec((1, SIDE, SIDE, 1), tf.float32)
        cls_spec = tf.TensorSpec((), tf.int32)

        @tf.function(input_signature=[spec, cls_spec], autograph=False)
        def grad(x, cls):
            with tf.GradientTape() as tape:
                maps, top = grad_model(x, training=False)
                tape.watch(maps)
                if use_logits:
                    score = tf.matmul(top, last.kernel) + last.bias
                else:
                    score = top
                target = score[:, cls]
            grads = tape.gradient(target, maps)
            return maps, grads

        return grad

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        """float32 ``(n, classes)`` for float32 ``(n, 28, 28[, 1])`` inputs in 0..1."""
        return self._probs(as_model_batch(batch)).numpy()

    def gradcam(self, image: np.ndarray, target: int) -> GradCam:
        """Grad-CAM on ``conv2`` of class ``target`` for one float32 ``(28, 28[, 1])`` input."""
        if self._grad is None:
            raise ValueError("this model has no conv2 layer for Grad-CAM")
        maps, grads = self._grad(as_model_batch(image), tf.constant(int(target), tf.int32))
        maps, grads = maps.numpy()[0], grads.numpy()[0]
        weights = grads.mean(axis=(0, 1))
        cam = np.maximum((maps * weights).sum(-1), 0.0)
        peak = float(cam.max())
        cam = (cam / peak if peak > 0 else np.zeros_like(cam)).astype(np.float32)
        f = self.field
        return GradCam(cam, np.clip(upsample_cam(cam, f.start, f.jump, f.size), 0, 1), peak)


class Explainer:
    """Saliency for several models at once; keeps its own copies (use from one thread).

    Parameters
    ----------
    models : name -> Keras model. Each is copied; the objects passed in are never called.
    """

    def __init__(self, models: dict[str, keras.Model]):
        self._models = {name: _ModelExplainer(m) for name, m in models.items()}

    @property
    def names(self) -> tuple[str, ...]:
        """The models' names, in the order given."""
        return tuple(self._models)

    def model(self, name: str) -> keras.Model:
        """The explainer's own copy (call only from the thread that uses the explainer)."""
        return self._models[name].model

    def set_model(self, name: str, model: keras.Model) -> None:
        """Explain ``name`` with a copy of ``model`` from now on (added if new)."""
        self._models[name] = _ModelExplainer(model)

    def has_gradcam(self, name: str) -> bool:
        """True when the model has a ``conv2`` layer to compute Grad-CAM on."""
        return self._models[name].gradcam_layer is not None

    def probabilities(self, name: str, batch: np.ndarray) -> np.ndarray:
        """float32 ``(n, classes)`` for float32 ``(n, 28, 28[, 1])`` inputs."""
        return self._models[name].probabilities(batch)

    def occlusion(self, name: str, image: np.ndarray, target: int) -> np.ndarray:
        """See :func:`occlusion`: float32 ``(28, 28)`` in -1..1."""
        return occlusion(self._models[name].probabilities, image, target)

    def gradcam(self, name: str, image: np.ndarray, target: int) -> GradCam:
        """Grad-CAM on ``conv2`` for class ``target`` (only for models with ``conv2``)."""
        return self._models[name].gradcam(image, target)
