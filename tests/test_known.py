"""The one "not a digit" rule: a model's top probability against its threshold."""

import numpy as np
import pytest

from digitlab.model.nets.known import DEFAULT_THRESHOLD, is_known, known_threshold


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

    from digitlab.model.nets.known import stored_threshold

    model = tmp_path / "mine.keras"
    model.write_bytes(b"")
    assert stored_threshold(model) == DEFAULT_THRESHOLD  # no metrics.json
    (tmp_path / "metrics.json").write_text(
        json.dumps({"cnn": {"file": "mine.keras", "known_threshold": 0.9}})
    )
    assert stored_threshold(model) == 0.9
    assert stored_threshold(str(model)) == 0.9
    assert stored_threshold(object()) == DEFAULT_THRESHOLD  # a model in memory
    (tmp_path / "metrics.json").write_text("{not json")
    assert stored_threshold(model) == DEFAULT_THRESHOLD


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

    from digitlab.model.nets.known import stored_threshold

    for name in ("a", "b"):
        (tmp_path / f"{name}.keras").write_bytes(b"")
    (tmp_path / "a.metrics.json").write_text(
        json.dumps({"cnn": {"file": "a.keras", "known_threshold": 0.7}})
    )
    (tmp_path / "metrics.json").write_text(
        json.dumps({"cnn": {"file": "b.keras", "known_threshold": 0.8}})
    )
    assert stored_threshold(tmp_path / "a.keras") == 0.7
    assert stored_threshold(tmp_path / "b.keras") == 0.8


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
    from digitlab.model.nets.known import NUMBER_KEY, stored_threshold
    from digitlab.model.segment.live_number import reader_for

    reader = number_reader(None)
    for name in ("cnn", "dense"):
        path = bundled_model_path(name)
        piece, alone = stored_threshold(path, NUMBER_KEY), stored_threshold(path)
        assert 0.2 < piece < alone < 1.0
        assert reader.thresholds[name] == piece
    infos = {"cnn": ModelInfo("cnn", (), 0, (), 0.6, 0.4), "dense": ModelInfo("dense", (), 0)}
    assert reader_for(reader.core, infos).thresholds == {"cnn": 0.4, "dense": DEFAULT_THRESHOLD}
