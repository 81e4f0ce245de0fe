"""Base images made after the first JupyterLab is ready: ``python:3.11``, first used by chapter 06.

On a fresh machine the full Python image (Debian, build tools, Python with its
headers) is the longest base image to build and only chapter 06 uses it, so the
first ``docker-course up`` starts the lab without it and then builds it in a
process of its own. Its progress lines go to ``IMAGE.tar.building`` in the images
folder (which the lab mounts); ``docker-course prepare 06`` waits for it there, in
the lab's kernel or on the host. A failure leaves ``IMAGE.tar.failed`` with the reason.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from grader.engine import catalogue, image_cache
from grader.engine.image_recipe import ImageRecipe
from grader.engine.progress import Reporter, silent
from grader.errors import GraderError, ImageProvisionError

LATER_TAGS = ("python:3.11",)
FIRST_CHAPTER = "06"
WAIT_LIMIT = 1800.0  # seconds prepare waits for a background build
STALE_AFTER = 600.0  # a note without a new line for this long: its builder is gone


def deferred() -> list[str]:
    """The later images not cached yet, and so built after the lab is up."""
    return [tag for tag in LATER_TAGS if not image_cache.tarball(catalogue.BY_TAG[tag]).exists()]


def note(image: ImageRecipe, kind: str = "building") -> Path:
    """The background build's progress (``building``) or failure (``failed``) note of ``image``."""
    return image_cache.images_cache() / f"{image.tarball_name}.{kind}"


def start_background(tags: list[str], report: Reporter = silent) -> None:
    """Build ``tags`` in a process of its own (none is started for an image whose build runs already)."""
    todo = [tag for tag in tags if not _building(catalogue.BY_TAG[tag])]
    if not todo:
        return
    for tag in todo:
        image = catalogue.BY_TAG[tag]
        note(image, "failed").unlink(missing_ok=True)
        note(image).parent.mkdir(parents=True, exist_ok=True)
        note(image).write_text(f"queued {time.strftime('%H:%M:%S')}\n")
    process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
        [sys.executable, "-m", "grader.engine.later_images", *todo],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives `docker-course up`
    )
    for tag in todo:
        with open(note(catalogue.BY_TAG[tag]), "a") as out:
            out.write(f"pid {process.pid}\n")
    report(
        f"{', '.join(todo)} (first used in chapter {FIRST_CHAPTER}): built in the background now; "
        f"`docker-course prepare {FIRST_CHAPTER}` waits for it (progress: {note(catalogue.BY_TAG[todo[0]])})"
    )


def wait_for(tags: list[str], report: Reporter = silent, limit: float = WAIT_LIMIT) -> None:
    """Wait until the background builds of ``tags`` (those running) have cached their tarballs.

    Raises:
        ImageProvisionError: a build failed, stalled, or took longer than ``limit``.
    """
    for tag in tags:
        image = catalogue.BY_TAG.get(tag)
        if image is None:
            continue
        deadline, said = time.monotonic() + limit, ""
        while not image_cache.tarball(image).exists():
            failed = note(image, "failed")
            if failed.exists():
                raise ImageProvisionError(
                    f"Building {tag} in the background failed: {failed.read_text().strip()[:300]}. "
                    f"Run `docker-course images {tag}` on the host."
                )
            progress = note(image)
            if not progress.exists():
                return  # no background build: the load says what is missing
            line = _last_line(progress)
            if line != said:
                report(f"{tag} is still being built in the background (about 3 minutes on a fresh machine): {line}")
                said = line
            stalled = time.time() - progress.stat().st_mtime > STALE_AFTER
            if stalled or time.monotonic() > deadline:
                raise ImageProvisionError(
                    f"The background build of {tag} {'stalled' if stalled else 'is taking too long'} ({line}). "
                    f"Run `docker-course images {tag}` on the host."
                )
            time.sleep(2)


def being_built(image: ImageRecipe) -> bool:
    """True while a background build of ``image`` is said to run (its progress note exists)."""
    return note(image).exists()


def _building(image: ImageRecipe) -> bool:
    """A build of ``image`` runs now (its note names a live process of this host)."""
    with contextlib.suppress(OSError, ValueError):
        for line in note(image).read_text().splitlines():
            if line.startswith("pid "):
                os.kill(int(line.split()[1]), 0)
                return True
    return False


def _last_line(path: Path) -> str:
    with contextlib.suppress(OSError):
        lines = path.read_text().strip().splitlines()
        return lines[-1] if lines else ""
    return ""


def main(tags: list[str]) -> int:
    """Provision ``tags`` on the host engine, each image's progress appended to its note."""
    from grader.engine import provisioning
    from grader.engine.install import ensure_host_engine

    images = [catalogue.BY_TAG[tag] for tag in tags]

    def report(message: str) -> None:
        for image in images:
            with contextlib.suppress(OSError), open(note(image), "a") as out:
                out.write(f"{time.strftime('%H:%M:%S')} {message}\n")

    try:
        provisioning.provision(ensure_host_engine(), tags, report=report)
    except GraderError as e:
        for image in images:
            note(image, "failed").write_text(str(e))
        return 1
    finally:
        for image in images:
            note(image).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
