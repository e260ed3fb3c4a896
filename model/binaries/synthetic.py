"""Made-up "families" of binaries for the bytes-to-image worked example and its tests.

Nothing here is real malware and nothing is downloaded: each family is a recipe of byte
sections (a header, code-like repeated opcode patterns, text, tables, packed high-entropy
data, zero padding) with random sizes, offsets and contents per sample, so that files of
one family look alike as images without being identical.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FAMILIES = ("dropper", "packed", "scripted", "table_heavy")
"""The family names, one class each."""

_OPCODES = [
    bytes.fromhex(h)
    for h in (
        "554889e5",
        "4883ec20",
        "e8",
        "c3",
        "8b4508",
        "31c0",
        "ffd0",
        "90",
        "0f1f00",
        "488d05",
    )
]


def _header(rng: np.random.Generator, magic: bytes) -> bytes:
    size = 64 + 16 * int(rng.integers(0, 8))
    body = bytearray(rng.integers(0, 16, size - len(magic), dtype=np.uint8).tobytes())
    return magic + bytes(body)


def _code(rng: np.random.Generator, n: int, vocab: list[bytes]) -> bytes:
    out = bytearray()
    while len(out) < n:
        op = vocab[int(rng.integers(0, len(vocab)))]
        out += op
        if rng.random() < 0.3:
            out += rng.integers(0, 256, int(rng.integers(1, 5)), dtype=np.uint8).tobytes()
    return bytes(out[:n])


def _text(rng: np.random.Generator, n: int) -> bytes:
    words = [
        b"GetProcAddress",
        b"LoadLibraryA",
        b"http://",
        b"cmd.exe /c ",
        b"powershell ",
        b"SOFTWARE\\Microsoft\\Windows\\",
        b"kernel32.dll",
        b"%s%d",
        b"Mozilla/5.0 ",
    ]
    out = bytearray()
    while len(out) < n:
        out += words[int(rng.integers(0, len(words)))] + b"\x00" * int(rng.integers(0, 3))
    return bytes(out[:n])


def _table(rng: np.random.Generator, n: int) -> bytes:
    start = int(rng.integers(0, 1 << 16))
    step = int(rng.integers(1, 64))
    values = (start + step * np.arange(n // 4 + 1)).astype("<u4")
    return values.tobytes()[:n]


def _random(rng: np.random.Generator, n: int) -> bytes:
    return rng.integers(0, 256, n, dtype=np.uint8).tobytes()


def make_sample(family: str, rng: np.random.Generator) -> bytes:
    """One synthetic binary of ``family`` (4-12 KB), different on every call."""
    size = int(rng.integers(4096, 12288))
    if family == "dropper":
        parts = [
            _header(rng, b"MZ"),
            _code(rng, size // 3, _OPCODES[:6]),
            b"\x00" * int(rng.integers(256, 1024)),
            _text(rng, size // 4),
            _code(rng, size // 5, _OPCODES),
        ]
    elif family == "packed":
        parts = [_header(rng, b"MZ"), _code(rng, 256, _OPCODES[6:]), _random(rng, size)]
    elif family == "scripted":
        parts = [_header(rng, b"#!"), _text(rng, size), b"\x00" * int(rng.integers(64, 512))]
    elif family == "table_heavy":
        parts = [
            _header(rng, b"\x7fELF"),
            _table(rng, size // 2),
            b"\x00" * int(rng.integers(512, 2048)),
            _table(rng, size // 3),
        ]
    else:
        raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    return b"".join(parts)


def write_families(
    folder: str | Path, per_family: int = 20, seed: int = 0, families: tuple[str, ...] = FAMILIES
) -> dict[str, list[Path]]:
    """Write ``per_family`` binaries of each family to ``folder/<family>/sample-NNN.bin``."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    written: dict[str, list[Path]] = {}
    for family in families:
        target = folder / family
        target.mkdir(parents=True, exist_ok=True)
        written[family] = []
        for i in range(per_family):
            path = target / f"sample-{i:03d}.bin"
            path.write_bytes(make_sample(family, rng))
            written[family].append(path)
    return written


def build_image_dataset(
    binaries: str | Path, images: str | Path, width: int | None = None
) -> dict[str, int]:
    """Render every family folder under ``binaries`` into ``images/<family>/`` PNGs with
    :func:`digitlab.model.binaries.bytes_image.convert_files`; returns family -> pictures
    written."""
    from digitlab.model.binaries.bytes_image import convert_files

    counts = {}
    for family_dir in sorted(p for p in Path(binaries).iterdir() if p.is_dir()):
        results = convert_files(sorted(family_dir.iterdir()), Path(images) / family_dir.name, width)
        counts[family_dir.name] = sum(r.error is None for r in results)
    return counts
