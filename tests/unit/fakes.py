"""Recorded engine facts for unit tests: EngineFacts look-alikes built from inspect dicts."""

from __future__ import annotations

from typing import Any

from grader.errors import NotFound
from grader.facts.containers import ContainerFacts
from grader.facts.images import FileInImage, ImageFacts
from grader.facts.probe import ProbeResult


def image(
    ref: str,
    config: dict[str, Any] | None = None,
    layers: list[str] | None = None,
    history: list[str] | None = None,
    files: dict[str, str] | None = None,
) -> ImageFacts:
    """An ImageFacts over recorded inspect data (history given oldest first as CreatedBy texts)."""
    attrs = {
        "Id": "sha256:" + "ab" * 32,
        "RepoTags": [ref],
        "Config": config or {},
        "RootFS": {"Layers": layers or []},
        "Size": 1000,
    }
    raw_history = [{"CreatedBy": c, "Size": 0 if "#(nop)" in c else 10} for c in reversed(history or [])]
    facts = ImageFacts(None, ref, attrs, raw_history)  # type: ignore[arg-type]
    for path, text in (files or {}).items():
        facts._files[path] = FileInImage(path, "file", text.encode(), 0, 0, 0o644)
    return facts


class FakeFacts:
    """The subset of EngineFacts that check types use, over recorded objects."""

    def __init__(
        self,
        images: dict[str, ImageFacts] | None = None,
        containers: dict[str, dict[str, Any]] | None = None,
        runs: dict[tuple[str, ...], ProbeResult] | None = None,
    ):
        self.images = images or {}
        self.containers = containers or {}
        self.runs = runs or {}

    def image(self, ref: str) -> ImageFacts:
        for key in (ref, ref if ":" in ref else f"{ref}:latest"):
            if key in self.images:
                return self.images[key]
        raise NotFound(f"The image {ref} does not exist on the course engine.")

    def container(self, name: str) -> ContainerFacts:
        if name not in self.containers:
            raise NotFound(f"There is no container named {name} on the course engine.")
        return ContainerFacts(None, self.containers[name])  # type: ignore[arg-type]

    def exists(self, kind: str, name: str) -> bool:
        try:
            getattr(self, kind)(name)
            return True
        except NotFound:
            return False

    def run(self, spec: Any) -> ProbeResult:
        key = (spec.image, *(spec.entrypoint or []), *(spec.command or []))
        return self.runs.get(key, ProbeResult(127, "", "exec: not found"))
