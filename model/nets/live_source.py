"""Which model is live, in words: the model list's labels for the bundled and remembered
models, and the short form the views show beside a model's title ("trained #3").

The model list labels each entry (``"Trained CNN #3 (2 ep, 60k, lr 0.001)"``); the live models
keep the label of what each slot holds, and every view that shows a live model names it with
:func:`short_source` (the whole label goes in its tooltip).
"""

from __future__ import annotations

import re
from pathlib import Path

from digitlab.model.nets.wording import model_title


def bundled_label(slot: str) -> str:
    """``"Bundled CNN"``: the label of the shipped model of ``slot`` (``"cnn"``, ``"dense"``)."""
    return f"Bundled {model_title(slot)}"


def remembered_label(slot: str) -> str:
    """The label of the model of ``slot`` put live last time and live again at start."""
    return f"{model_title(slot)} from last time (live at start)"


_SHORT = (
    (re.compile(r"^Bundled\b"), lambda m, label: "bundled"),
    (re.compile(r"^(?:Trained|Custom) .*?#(\d+)"), lambda m, label: f"trained #{m[1]}"),
    (re.compile(r"\btuned\b.*?#(\d+)"), lambda m, label: f"tuned #{m[1]}"),
    (re.compile(r"\bfrom last time\b"), lambda m, label: "from last time"),
    (re.compile(r"^Loaded (\S+)"), lambda m, label: m[1]),
)


def short_source(label: str) -> str:
    """A model list label in a few words: ``"bundled"``, ``"trained #3"``, ``"tuned #1"``,
    ``"from last time"``, a loaded file's name; any other label up to its first bracket.
    A cancelled run says so (``"trained #3, cancelled"``)."""
    for pattern, short in _SHORT:
        match = pattern.search(label)
        if match:
            words = short(match, label)
            return words + (", cancelled" if label.endswith("(cancelled)") else "")
    return label.split(" (", 1)[0].strip() or label


def source_of(name: str, model) -> str:
    """A model given without a label, in words: the bundled file's label, a file's name, or
    "New CNN" for a model object."""
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.describe import DIGIT_MODELS

    if isinstance(model, str | Path):
        path = Path(model)
        if name in DIGIT_MODELS and path.resolve() == bundled_model_path(name).resolve():
            return bundled_label(name)
        return f"Loaded {path.name}"
    return f"New {model_title(name)}"
