"""The lab image reaches the user-namespaced labs' engine from the course's cached tarball when it holds that recipe."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from docker.errors import ImageNotFound

from grader.engine import boundary_runner, catalogue, image_cache
from grader.engine.image_recipe import RECIPE_LABEL


class Images:
    """A fake engine's images: one image or none, and what was loaded."""

    def __init__(self, image: Any = None) -> None:
        self.image = image
        self.loaded: list[bytes] = []

    def get(self, tag: str) -> Any:
        if self.image is None:
            raise ImageNotFound(tag)
        return self.image

    def load(self, data: Any) -> None:
        self.loaded.append(data.read() if hasattr(data, "read") else b"".join(data))


def engines(recipe: str) -> tuple[Any, Any]:
    source = SimpleNamespace(id="sha256:1", labels={RECIPE_LABEL: recipe}, save=lambda named: iter([b"saved"]))
    return SimpleNamespace(images=Images()), SimpleNamespace(images=Images(source))


@pytest.mark.parametrize("same_recipe", [True, False])
def test_the_cached_tarball_is_loaded_only_for_the_same_recipe(
    same_recipe: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_COURSE_CACHE", str(tmp_path))
    lab = catalogue.BY_TAG[catalogue.LAB_IMAGE]
    image_cache.tarball(lab).parent.mkdir(parents=True)
    image_cache.tarball(lab).write_bytes(b"cached")
    labs, host = engines(lab.recipe() if same_recipe else "another")
    boundary_runner.ensure_lab_image(labs, host, lab.tag)
    assert labs.images.loaded == [b"cached" if same_recipe else b"saved"]
