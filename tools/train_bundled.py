"""Retrain a bundled model with outlier exposure, so it can say "not a digit".

Starts from a seed model (by default the bundled one: same architecture, same layer names,
10-way softmax) and trains it on MNIST training digits (clean or distorted as
``digitlab train`` distorts them), plus pen-distorted font digits and digits drawn in styles
MNIST lacks (:mod:`digitlab.model.data.digit_styles`), all through the canvas pipeline, with
an extra loss that pushes synthetic non-digits (letters and symbols from stroke fonts,
scribbles, digit pairs, unfinished digits: :mod:`digitlab.model.data.pen_synthetic`) towards
a flat answer. Nothing from ``../shared`` dev sets is ever used here.

    python tools/train_bundled.py --model dense --out /tmp/oe/dense.keras [--install]

Prints MNIST test accuracy and, on held-out synthetic non-digits, the share refused at
thresholds; ``--install`` copies the model into ``resources/models`` and records the run in
``metrics.json`` (then run ``benchmarks/open_set.py --write-thresholds``). Needs the
``[train]`` extra (``pip install -e ".[train]"``).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KIND_WORDS = {
    "letter": "letters and symbols from stroke fonts",
    "scribble": "scribbles",
    "pair": "digit pairs",
    "part": "unfinished digits",
}


# The code that draws the training inputs: a cache made by other code is not used.
DRAWING_SOURCES = (
    "model/preprocess",
    "model/data/digit_styles.py",
    "model/data/pen_glyphs.py",
    "model/data/pen_synthetic.py",
    "model/nets/training.py",
)


def drawing_tag(root: Path = ROOT) -> str:
    """Eight hex digits of a hash of :data:`DRAWING_SOURCES`' Python sources: the cached
    training drawings' names carry it, so a change to the pipeline that drew them (framing,
    pen, styles, augmentation) is never trained on with drawings made the old way."""
    digest = hashlib.sha256()
    for entry in DRAWING_SOURCES:
        path = root / entry
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:8]


def _cached(path: Path, make):
    """Arrays from ``path`` (an ``.npz`` we wrote), or ``make()`` saved there first."""
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            return tuple(data[k] for k in sorted(data.files))
    arrays = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, **{f"a{i}": a for i, a in enumerate(arrays)})
    os.replace(tmp, path)
    return arrays


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _refused(model, x: np.ndarray, thresholds=(0.5, 0.7, 0.9)) -> dict[str, float]:
    p = np.concatenate(
        [np.asarray(model(x[i : i + 2048], training=False)) for i in range(0, len(x), 2048)]
    )
    top = p.max(1)
    return {f"{t}": round(float((top < t).mean()) * 100, 2) for t in thresholds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["cnn", "dense"], required=True)
    parser.add_argument(
        "--start", default=None, help="a .keras to start from, 'fresh', or the bundled model"
    )
    parser.add_argument("--teacher", default="cnn", help="'cnn' (bundled), a .keras, or 'none'")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--oe-weight", type=float, default=0.5)
    parser.add_argument("--oe-margin", type=float, default=0.0)
    parser.add_argument("--distill", type=float, default=0.5)
    parser.add_argument("--distill-temperature", type=float, default=1.0)
    parser.add_argument(
        "--distill-where-right",
        action="store_true",
        help="blend in the teacher only for the digits it reads right",
    )
    parser.add_argument("--outliers", type=int, default=40_000)
    parser.add_argument("--font-digits", type=int, default=20_000)
    parser.add_argument(
        "--style-digits",
        type=int,
        default=0,
        help="digits drawn in styles MNIST lacks (model/data/digit_styles.py), as positives",
    )
    parser.add_argument("--augmented-copies", type=int, default=2)
    parser.add_argument("--augment-share", type=float, default=0.5)
    parser.add_argument(
        "--based-one", type=float, default=0.0, help="share of ones given a base (a foot)"
    )
    parser.add_argument(
        "--flag-length-max", type=float, default=0.8, help="longest flag on a one, of its height"
    )
    parser.add_argument(
        "--outlier-kinds",
        default="letter,scribble,pair,part",
        help="which kinds of synthetic non-digits to push towards a flat answer",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/digitlab-oe"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--install", action="store_true")
    args = parser.parse_args()
    kinds = args.outlier_kinds.split(",")
    if set(kinds) - set(KIND_WORDS):
        parser.error(f"--outlier-kinds: a comma-separated list of {', '.join(KIND_WORDS)}")

    from digitlab.model.nets.quiet_tensorflow import import_tensorflow_quietly

    import_tensorflow_quietly()
    from digitlab.model import __version__
    from digitlab.model.data.bundled import METRICS_PATH, bundled_model_path
    from digitlab.model.data.digit_styles import style_digit_inputs
    from digitlab.model.data.mnist import load_mnist, to_model_input
    from digitlab.model.data.pen_synthetic import font_digit_inputs, non_digit_inputs
    from digitlab.model.nets.model_files import load_model, save_model
    from digitlab.model.nets.outlier_exposure import OutlierRecipe, train_with_outliers
    from digitlab.model.nets.training import Recipe, evaluate, prepare_augmented
    from digitlab.model.preprocess.augment import AugmentConfig, StyleConfig

    t0 = time.perf_counter()
    if args.start == "fresh":
        from digitlab.model.nets.architectures import build

        start, model = None, build(args.model)
    else:
        start = Path(args.start) if args.start else bundled_model_path(args.model)
        model = load_model(start, num_classes=10)
    teacher, teacher_about = None, "none"
    if args.teacher != "none":
        tpath = bundled_model_path("cnn") if args.teacher == "cnn" else Path(args.teacher)
        teacher = load_model(tpath, num_classes=10)
        teacher_about = f"{tpath.name} (sha256 {_sha256(tpath)})"
    data = load_mnist()
    x_train = data.x_train.astype(np.float32) / 255.0
    y_train = data.y_train.astype(np.int64)
    styles = StyleConfig(based_one=args.based_one, flag_length=(0.25, args.flag_length_max))
    base = Recipe(
        augmented_copies=args.augmented_copies,
        seed=args.seed,
        # Every copy is distorted: ``--augment-share`` alone says how many digits show one.
        augment_config=AugmentConfig(probability=1.0),
        style_config=styles,
    )
    style_key = f"-b{args.based_one:g}-f{args.flag_length_max:g}" if styles != StyleConfig() else ""
    cache = args.cache / f"drawn-{drawing_tag()}"  # made by this pipeline only
    (augmented,) = _cached(
        cache / f"augmented-all-{args.augmented_copies}-{args.seed}{style_key}.npz",
        lambda: (prepare_augmented(x_train, y_train, base),),
    )
    x_font, y_font = _cached(
        cache / f"font-digits-{args.font_digits}-{args.seed}.npz",
        lambda: font_digit_inputs(args.font_digits, seed=1000 + args.seed),
    )
    x_style, y_style, _ = _cached(
        cache / f"style-digits-slanted-{args.style_digits}-{args.seed}.npz",
        lambda: style_digit_inputs(args.style_digits, seed=3000 + args.seed),
    )
    x_out, out_kinds = _cached(
        cache / f"outliers-{args.outliers}-{args.seed}.npz",
        lambda: non_digit_inputs(args.outliers, seed=2000 + args.seed),
    )
    x_out = x_out[np.isin(out_kinds, kinds)]
    x_held, _ = _cached(cache / "outliers-held-2000.npz", lambda: non_digit_inputs(2000, 99))
    print(f"data ready in {time.perf_counter() - t0:.0f} s", flush=True)

    def digits(epoch: int):
        rng = np.random.default_rng([args.seed, 500 + epoch])
        x = x_train.copy()
        use = rng.random(len(x)) < args.augment_share
        pick = rng.integers(0, len(augmented), len(x))
        x[use] = augmented[pick[use], np.flatnonzero(use)] / np.float32(255)
        xs = np.concatenate([x, x_font, x_style])
        ys = np.concatenate([y_train, y_font, y_style])
        order = rng.permutation(len(xs))
        return xs[order][..., None], ys[order]  # already float32 in 0..1

    recipe = OutlierRecipe(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        oe_weight=args.oe_weight,
        oe_margin=args.oe_margin,
        distill=args.distill,
        distill_temperature=args.distill_temperature,
        distill_where_right=args.distill_where_right,
        seed=args.seed,
    )
    x_test, y_test = to_model_input(data.x_test), data.y_test.astype(np.int64)
    before = evaluate(model, x_test, y_test)["accuracy"]
    refused = _refused(model, x_held[..., None])
    print(f"start: MNIST test {before:.4f}, held-out non-digits refused {refused}")

    def report(epoch, logs):
        acc = evaluate(model, x_test, y_test)["accuracy"]
        print(
            f"epoch {epoch + 1}: loss {logs['loss']:.4f} (digits {logs['digit_loss']:.4f}, "
            f"flat {logs['flat_loss']:.4f}), MNIST test {acc:.4f}, non-digits refused "
            f"{_refused(model, x_held[..., None])}, {logs['seconds']:.0f} s",
            flush=True,
        )

    result = train_with_outliers(
        model, digits, x_out[..., None], recipe, teacher=teacher, on_epoch=report
    )
    accuracy = evaluate(model, x_test, y_test)["accuracy"]
    save_model(model, args.out)
    print(f"saved {args.out}: MNIST test {accuracy:.4f} ({result['seconds']:.0f} s)")
    if not args.install:
        return
    bars = {"cnn": 0.9940, "dense": 0.9850}
    if accuracy < bars[args.model]:
        sys.exit(f"not installed: MNIST test {accuracy:.4f} is under the bar {bars[args.model]}")
    target = bundled_model_path(args.model)
    origin = (
        "a freshly initialised seed model"
        if start is None
        else (f"the model described above (sha256 {_sha256(start)})")
    )
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(args.out, tmp)
    os.replace(tmp, target)
    metrics = json.loads(METRICS_PATH.read_text(encoding="utf-8"))
    entry = metrics[args.model]
    entry["test_accuracy"] = round(float(accuracy), 4)
    entry["parameters"] = int(model.count_params())
    entry["outlier_exposure"] = {
        "about": (
            f"trained from {origin} with outlier exposure: MNIST training digits "
            f"({args.augment_share:.0%} distorted) and {args.font_digits:,} pen-distorted "
            "Hershey font digits"
            + (
                f" and {args.style_digits:,} digits drawn in styles MNIST lacks"
                if args.style_digits
                else ""
            )
            + ", targets blended with the teacher's"
            + (" where it reads the digit right" if args.distill_where_right else "")
            + "; "
            f"{len(x_out):,} synthetic non-digits ({', '.join(KIND_WORDS[k] for k in kinds)}) "
            "pushed towards a flat answer"
        ),
        "recipe": recipe.as_dict(),
        "teacher": teacher_about,
        "outliers": int(len(x_out)),
        "outlier_kinds": kinds,
        "font_digits": args.font_digits,
        "style_digits": args.style_digits,
        "augmented_copies": args.augmented_copies,
        "style_config": dataclasses.asdict(styles),
        "augment_share": args.augment_share,
        "test_accuracy_before": round(float(before), 4),
        "history": result["history"],
        "seconds": round(result["seconds"], 1),
        "command": "python tools/train_bundled.py " + " ".join(sys.argv[1:]),
        "digitlab_version": __version__,
    }
    tmp = METRICS_PATH.with_name("metrics.json.tmp")
    tmp.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, METRICS_PATH)
    print(f"installed {target} and recorded the run in {METRICS_PATH}")


if __name__ == "__main__":
    main()
