"""Render many files into class folders of pictures, Qt-free: which files go to which folder,
the rendering itself with one progress count over all of them, and a one-line summary.

The Train tab's "From binaries…" runs :func:`render_jobs` in a worker thread; each
file becomes one PNG through :func:`digitlab.model.binaries.bytes_image.convert_files`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from digitlab.model.binaries.bytes_image import Rendered, convert_files
from digitlab.model.nets.wording import plural

Job = tuple[Path, Path]
"""``(file, folder)``: render ``file`` into a PNG inside ``folder``."""


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def family_jobs(source: str | Path, out: str | Path) -> list[Job]:
    """One job per file of ``source/<family>/``, into ``out/<family>/``; hidden files and
    folders are left out, families and files in name order ([] when there are none)."""
    source, out = Path(source), Path(out)
    families = sorted(p for p in source.iterdir() if p.is_dir() and _visible(p))
    return [
        (f, out / family.name)
        for family in families
        for f in sorted(family.iterdir())
        if f.is_file() and _visible(f)
    ]


def render_jobs(
    jobs: Sequence[Job],
    on_progress: Callable[[int, int], None],
    should_stop: Callable[[], bool],
) -> list[Rendered]:
    """Render every job, folder by folder (in the order folders first appear); returns one
    :class:`~digitlab.model.binaries.bytes_image.Rendered` per file tried.

    ``on_progress(done, total)`` counts over all the jobs; ``should_stop()`` is polled before
    each file, and the files after it are not tried.
    """
    results: list[Rendered] = []
    total = len(jobs)
    by_folder: dict[Path, list[Path]] = {}
    for f, folder in jobs:
        by_folder.setdefault(folder, []).append(f)
    for folder, files in by_folder.items():
        base = len(results)
        results += convert_files(
            files, folder, None, should_stop, lambda d, _t, b=base: on_progress(b + d, total)
        )
    return results


def rendered_summary(results: Sequence[Rendered]) -> tuple[str, list[str]]:
    """``(one line on what was written where, the errors of the files that failed)``; the
    line names at most three folders."""
    ok = sum(r.error is None for r in results)
    errors = [r.error for r in results if r.error]
    folders = sorted({str(Path(r.output).parent) for r in results if r.output})
    more = "…" if len(folders) > 3 else ""
    text = f"Rendered {plural(ok, 'picture')} into {', '.join(folders[:3])}{more}"
    if errors:
        text += f"; {plural(len(errors), 'file')} could not be read"
    return text, errors
