"""Fresh labs cloned from one engine template: each sees the template, none sees another's changes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from grader.engine import lab, lab_snapshot, lab_template
from grader.engine.settings import Settings
from tests.support import EngineSession

pytestmark = pytest.mark.engine
LAYER_WRITE = (
    'dir=$(docker image inspect debian:bookworm-slim -f "{{.GraphDriver.Data.UpperDir}}") && '
    'echo tampered >> "$dir/etc/os-release" && echo tampered > "$dir/etc/tampered"'
)


@pytest.fixture
def two_labs(engine_session: EngineSession) -> Iterator[tuple[str, str]]:
    """Two new labs (no JupyterLab) from the same template as the session's lab; removed after."""
    if lab_snapshot.why_not():
        pytest.skip(f"no engine templates on this machine: {lab_snapshot.why_not()}")
    names = (f"{engine_session.name}-tpl-a", f"{engine_session.name}-tpl-b")
    try:
        for name in names:
            lab.up(engine_session.host, lab.LabSpec.learner(Settings.load(), name=name, jupyter=False))
        yield names
    finally:
        for name in names:
            lab.down(engine_session.host, name, keep_data=False)


def _template_digest(template: str) -> str:
    path = lab_snapshot.mount_point() / "templates" / template / "image" / "overlay2" / "repositories.json"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_learner_changing_images_and_layers_in_one_lab_leaves_its_sibling_and_the_template_intact(
    engine_session: EngineSession, two_labs: tuple[str, str]
) -> None:
    first, second = (lab.lab_engine(Settings.load(), name) for name in two_labs)
    template = lab_template.origin(two_labs[0])
    assert template and template == lab_template.origin(two_labs[1])
    assert lab_template.usable(template) is not None, "the labs were not cloned from a complete template"
    before = {tag: second.images.get(tag).id for tag in ("busybox:latest", "debian:bookworm-slim")}
    digest = _template_digest(template)
    assert "busybox:latest" in {t for i in first.images.list() for t in i.tags}, "the clone has no base images"

    inside = lab.find(engine_session.host, two_labs[0])
    assert inside is not None
    write = inside.exec_run(["sh", "-c", LAYER_WRITE])
    assert write.exit_code == 0, write.output
    first.images.remove("busybox:latest", force=True)
    first.images.get("python:3.11-slim").tag("debian", "bookworm-slim")

    assert {tag: second.images.get(tag).id for tag in before} == before
    shown = second.containers.run("debian:bookworm-slim", ["sh", "-c", "cat /etc/os-release; ls /etc"], remove=True)
    assert b"tampered" not in shown
    assert _template_digest(template) == digest
    assert lab_snapshot.read_only(lab_snapshot.mount_point() / "templates" / template)
