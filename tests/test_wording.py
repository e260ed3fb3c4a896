"""The words the app puts on the models' answers, read without a window."""

from __future__ import annotations

from digitlab.model.nets.wording import (
    bars_description,
    class_label,
    confidence_words,
    model_title,
    reading_words,
    unit_description,
    verdict,
)

DIGITS = tuple(str(i) for i in range(10))


def test_models_are_called_by_their_titles_and_unknown_ones_by_their_name():
    assert [model_title(n) for n in ("cnn", "dense", "custom")] == [
        "CNN",
        "Dense network",
        "Your model",
    ]
    assert model_title("my_net") == "my_net"


def test_confidence_reads_in_plain_words_from_guessing_to_almost_certain():
    words = [confidence_words(p) for p in (0.1, 0.45, 0.7, 0.85, 0.99)]
    assert words == ["guessing", "unsure", "leaning", "fairly sure", "almost certain"]


def test_two_models_that_agree_or_disagree_say_so():
    labels = {"cnn": DIGITS, "dense": DIGITS}
    assert verdict({"cnn": 3, "dense": 3}, labels) == ("Both models read 3", "agree")
    assert verdict({"cnn": 3, "dense": 5}, labels) == (
        "The models disagree: CNN reads 3 · Dense network reads 5",
        "disagree",
    )


def test_one_model_reads_by_its_class_names():
    names = ("cat", "dog")
    assert verdict({"custom": 1}, {"custom": names}) == ("Your model reads dog", "single")
    assert class_label(names, 5) == "5"  # a class the names do not cover keeps its number
    assert verdict({}, {}) is None


def test_a_hovered_unit_says_where_it_is_its_value_and_what_it_sees():
    conv = unit_description("CNN", "conv2", (7, 3, 4), 0.4567, 2.0, (4, 6, 8, 8))
    assert conv == (
        "CNN · conv2 · channel 7 · row 3, col 4 · value 0.457 (scale 0–2) · "
        "sees the 8×8 input patch outlined in red"
    )
    output = unit_description("Dense network", "output", (3, 0, 0), None, 1.0, None)
    assert output == (
        "Dense network · output · class 3 · value — (scale 0–1) · sees the whole input"
    )
    assert "unit 12" in unit_description("CNN", "dense", (12, 0, 0), 1.5, 3.0, None)


def test_a_drawing_no_model_knows_is_called_not_a_digit_and_keeps_the_best_guess():
    labels = {"cnn": DIGITS, "dense": DIGITS}
    both_unsure = {"cnn": False, "dense": False}
    assert verdict({"cnn": 4, "dense": 4}, labels, both_unsure) == (
        "That doesn't look like a digit",
        "unknown",
    )
    assert verdict({"cnn": 4, "dense": 9}, labels, {"cnn": True, "dense": False}) == (
        "CNN reads 4 · Dense network: not a digit?",
        "disagree",
    )
    assert verdict({"custom": 1}, {"custom": ("cat", "dog")}, {"custom": False}) == (
        "That doesn't look like any of its classes",
        "unknown",
    )
    assert reading_words("4", 0.38, known=False) == "not a digit? best guess 4, 38%"
    assert reading_words("4", 0.97) == "reads 4 · almost certain (97%)"
    assert reading_words("dog", 0.4, known=False, digits=False) == (
        "none of its classes? best guess dog, 40%"
    )


def test_counts_read_as_english_one_picture_two_pictures():
    from digitlab.model.nets.wording import plural

    assert plural(1, "unreadable picture") == "1 unreadable picture"
    assert plural(0, "epoch") == "0 epochs"
    assert plural(2, "sample") == "2 samples"
    assert plural(10_000, "digit") == "10,000 digits"
    assert plural(3, "family", "families") == "3 families"


def test_no_message_in_the_app_or_the_core_says_one_followed_by_a_plural():
    """The wording a user met ("1 unreadable pictures", "Misclassified: 1 pictures", "after 1
    epochs"): no f-string puts a bare count before a plural noun; counts go through plural()."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    bare = re.compile(
        r"\{[^{}]*(len\(|epochs|steps|tuned|skipped)[^{}]*\} (unreadable |test )?"
        r"(pictures|samples|epochs|steps|files|drawings)\b"
    )
    found = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("app", "model")
        for path in sorted((root / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if bare.search(line) and not any(why in line for why in NEVER_ONE)
    ]
    assert found == []


NEVER_ONE = (
    "{len(samples):,} samples would pass the",  # over a file-size limit: thousands
    "{len(infos)} files inside, at most",  # over the member limit: more than one
)
"""Lines whose count is never 1 (said why), left as they are."""


def test_the_bars_description_names_the_top_classes_in_words():
    probs = [0.0, 0.01, 0.0, 0.005, 0.0, 0.0, 0.0, 0.98, 0.005, 0.0]
    assert bars_description("cnn", probs) == "CNN reads 7, 98%; next 1, 1%"
    assert bars_description("dense", probs, count=3).startswith("Dense network reads 7, 98%;")
    assert bars_description("cnn", None) == "CNN: waiting for a drawing"


def test_the_bars_description_says_when_the_model_does_not_know_the_drawing():
    probs = [
        0.1,
        0.0,
        0.0,
        0.0,
        0.38,
        0.0,
        0.0,
        0.0,
        0.0,
        0.2,
    ]
    assert bars_description("cnn", probs, known=False) == (
        "CNN: not a digit? best guess 4, 38%; next 9, 20%"
    )
    pets = ("cat", "dog", "fish")
    assert bars_description("custom", [0.2, 0.7, 0.1], pets, known=False) == (
        "Your model: none of its classes? best guess dog, 70%; next cat, 20%"
    )
    assert bars_description("custom", [0.2, 0.7, 0.1], pets) == (
        "Your model reads dog, 70%; next cat, 20%"
    )
