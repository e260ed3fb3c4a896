"""The one "not a digit" rule: a model's top probability, at its temperature, against its
threshold."""

import numpy as np
import pytest

from digitlab.model.nets.known import (
    DEFAULT_THRESHOLD,
    KnownRule,
    is_known,
    known_rule,
    known_threshold,
    stored_rule,
)


def test_a_confident_answer_is_known_and_a_flat_one_is_not():
    confident = np.eye(10, dtype=np.float32)[4]
    flat = np.full(10, 0.1, np.float32)
    assert bool(is_known(confident))
    assert not bool(is_known(flat))
    assert is_known(np.stack([confident, flat])).tolist() == [True, False]


def test_the_threshold_decides_at_its_edge():
    p = np.array([0.7, 0.3])
    assert bool(is_known(p, 0.7))
    assert not bool(is_known(p, 0.71))


def test_probabilities_without_a_class_axis_are_refused():
    with pytest.raises(ValueError):
        is_known(np.float32(1.0))


def test_a_stored_threshold_is_used_and_a_bad_one_falls_back():
    assert known_threshold({"cnn": {"known_threshold": 0.8}}, "cnn") == 0.8
    for bad in ({"cnn": {"known_threshold": 2}}, {"cnn": {"known_threshold": True}}, {}, None):
        assert known_threshold(bad, "cnn") == DEFAULT_THRESHOLD


def test_a_model_file_finds_its_threshold_in_the_metrics_beside_it(tmp_path):
    import json

    model = tmp_path / "mine.keras"
    model.write_bytes(b"")
    assert stored_rule(model) == KnownRule(DEFAULT_THRESHOLD, 1.0)  # no metrics.json
    (tmp_path / "metrics.json").write_text(
        json.dumps({"cnn": {"file": "mine.keras", "known_threshold": 0.9}})
    )
    assert stored_rule(model) == KnownRule(0.9, 1.0)
    assert stored_rule(str(model)) == KnownRule(0.9, 1.0)
    assert stored_rule(object()) == KnownRule()  # a model in memory
    (tmp_path / "metrics.json").write_text("{not json")
    assert stored_rule(model) == KnownRule()


def test_a_chosen_threshold_keeps_the_asked_share_of_real_digits():
    from digitlab.model.nets.known import choose_threshold

    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (1000, 10))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    for share in (0.5, 0.9, 0.98):
        t = choose_threshold(p, share)
        assert 0.0 <= t <= 1.0
        assert is_known(p, t).mean() >= share  # keeps at least that share...
        assert is_known(p, t + 2e-4).mean() < share  # ...and is as strict as that allows
    assert is_known(p, choose_threshold(p, 1.0)).all()
    with pytest.raises(ValueError):
        choose_threshold(p, 0.0)
    with pytest.raises(ValueError):
        choose_threshold(np.zeros((0, 10)))


def test_a_model_file_finds_its_threshold_in_its_own_metrics_file_first(tmp_path):
    import json

    for name in ("a", "b"):
        (tmp_path / f"{name}.keras").write_bytes(b"")
    (tmp_path / "a.metrics.json").write_text(
        json.dumps({"cnn": {"file": "a.keras", "known_threshold": 0.7}})
    )
    (tmp_path / "metrics.json").write_text(
        json.dumps({"cnn": {"file": "b.keras", "known_threshold": 0.8}})
    )
    assert stored_rule(tmp_path / "a.keras").threshold == 0.7
    assert stored_rule(tmp_path / "b.keras").threshold == 0.8


def test_a_piece_of_a_number_has_its_own_threshold_or_else_the_drawings_one():
    from digitlab.model.nets.known import NUMBER_KEY

    both = {"cnn": {"known_threshold": 0.6, NUMBER_KEY: 0.4}}
    assert known_threshold(both, "cnn", NUMBER_KEY) == 0.4
    assert known_threshold(both, "cnn") == 0.6
    assert known_threshold({"cnn": {"known_threshold": 0.6}}, "cnn", NUMBER_KEY) == 0.6
    assert known_threshold({}, "cnn", NUMBER_KEY) == DEFAULT_THRESHOLD


def test_the_bundled_models_hold_a_piece_of_a_number_to_a_lower_bar_everywhere_it_is_read():
    # The command line and the Number mode both take the stored piece threshold, chosen on
    # MNIST to keep 99.95% of its digits; a drawing on its own keeps the stricter one.
    from digitlab.app.cli.read import number_reader
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.describe import ModelInfo
    from digitlab.model.nets.known import NUMBER_KEY
    from digitlab.model.segment.live_number import reader_for

    reader = number_reader(None)
    for name in ("cnn", "dense"):
        path = bundled_model_path(name)
        piece, alone = stored_rule(path, NUMBER_KEY), stored_rule(path)
        assert 0.2 < piece.threshold < alone.threshold < 1.0
        assert piece.temperature == alone.temperature == 2.0  # one temperature for both
        assert reader.rules[name] == piece
    infos = {
        "cnn": ModelInfo("cnn", (), 0, (), KnownRule(0.6, 2.0), KnownRule(0.4, 2.0)),
        "dense": ModelInfo("dense", (), 0),
    }
    assert reader_for(reader.core, infos).rules == {
        "cnn": KnownRule(0.4, 2.0),
        "dense": KnownRule(DEFAULT_THRESHOLD, 1.0),
    }


def _softened_top(p, temperature):
    """The top of softmax(log p / temperature), computed the long way."""
    z = np.log(np.asarray(p, np.float64)) / temperature
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).max(-1)


def test_at_temperature_1_the_score_is_exactly_the_top_probability():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(10), 50).astype(np.float32)
    assert np.array_equal(KnownRule(0.5, 1.0).score(p), p.max(1).astype(np.float64))
    assert np.array_equal(KnownRule(0.5).known(p), is_known(p, 0.5))


def test_a_higher_temperature_lowers_a_confident_but_not_certain_answer():
    p = np.array([0.9, 0.05, 0.05])
    at_2 = float(KnownRule(0.5, 2.0).score(p))
    assert at_2 == pytest.approx(_softened_top(p, 2.0))
    assert at_2 == pytest.approx(1 / (1 + 2 * np.sqrt(0.05 / 0.9)))
    assert at_2 < 0.9
    assert float(KnownRule(0.5, 3.0).score(p)) < at_2
    # Known at temperature 1 with threshold 0.8, no longer at temperature 2.
    assert bool(KnownRule(0.8, 1.0).known(p)) and not bool(KnownRule(0.8, 2.0).known(p))
    assert float(KnownRule(0.5, 2.0).score(np.eye(10)[3])) == pytest.approx(1.0)


def test_a_flat_answer_scores_one_over_the_classes_at_any_temperature():
    for classes in (2, 10):
        flat = np.full(classes, 1 / classes)
        for t in (0.5, 1.0, 2.0, 7.0):
            assert float(KnownRule(0.5, t).score(flat)) == pytest.approx(1 / classes)


def test_a_zero_probability_does_not_break_the_score():
    p = np.array([[0.8, 0.2, 0.0], [1.0, 0.0, 0.0]])
    scores = KnownRule(0.5, 2.0).score(p)
    assert np.isfinite(scores).all()
    assert scores[1] == pytest.approx(1.0)


def test_a_model_without_a_stored_temperature_keeps_the_plain_top_probability():
    assert known_rule({"cnn": {"known_threshold": 0.8}}, "cnn") == KnownRule(0.8, 1.0)
    assert known_rule({"cnn": {"known_threshold": 0.8, "known_temperature": 2}}, "cnn") == (
        KnownRule(0.8, 2.0)
    )
    for bad in (0, -1, True, "2", float("nan"), float("inf"), 1e9):
        entry = {"cnn": {"known_threshold": 0.8, "known_temperature": bad}}
        assert known_rule(entry, "cnn") == KnownRule(0.8, 1.0)
    assert known_rule(None, "cnn") == KnownRule(DEFAULT_THRESHOLD, 1.0)


def test_a_threshold_chosen_at_a_temperature_keeps_the_asked_share_at_that_temperature():
    from digitlab.model.nets.known import choose_threshold

    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (1000, 10))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    t = choose_threshold(p, 0.9, temperature=2.0)
    rule = KnownRule(t, 2.0)
    assert rule.known(p).mean() >= 0.9
    assert KnownRule(t + 2e-4, 2.0).known(p).mean() < 0.9
    assert t < choose_threshold(p, 0.9)  # softened scores are lower
    with pytest.raises(ValueError):
        choose_threshold(p, 0.9, temperature=0.0)


def test_the_bundled_models_store_their_temperature_and_the_live_answer_uses_it():
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets.describe import ModelInfo
    from digitlab.model.nets.live_answer import answer_input
    from digitlab.model.preprocess.frame import Preprocessed

    for name in ("cnn", "dense"):
        rule = stored_rule(bundled_model_path(name))
        assert rule.temperature == 2.0 and 0.2 < rule.threshold < 1.0

    # A 0.9 / 0.05 / 0.05 answer: known at temperature 1 with threshold 0.8, not at 2.
    answer = np.array([[0.9, 0.05, 0.05]], np.float32)

    class Out:
        probabilities = answer
        activations = {}

    class Core:
        def run(self, image):
            return {"m": Out()}

    pre = Preprocessed(np.ones((28, 28), np.float32), False)
    for rule, known in ((KnownRule(0.8, 1.0), True), (KnownRule(0.8, 2.0), False)):
        info = ModelInfo("m", (), 0, ("a", "b", "c"), rule)
        result = answer_input(Core(), {"m": info}, 1, pre, None)
        assert result.known == {"m": known}


def test_both_stored_rules_of_a_model_file_come_from_one_read(tmp_path, monkeypatch):
    from digitlab.model.data.bundled import bundled_model_path
    from digitlab.model.nets import known
    from digitlab.model.nets.known import NUMBER_KEY, stored_rule, stored_rules

    for name in ("cnn", "dense"):
        path = bundled_model_path(name)
        assert stored_rules(path) == (stored_rule(path), stored_rule(path, NUMBER_KEY))
    assert stored_rules(object()) == (known.KnownRule(), known.KnownRule())
    reads = []
    original = known.json.loads
    monkeypatch.setattr(known.json, "loads", lambda text: reads.append(1) or original(text))
    stored_rules(bundled_model_path("cnn"))
    assert len(reads) == 1
