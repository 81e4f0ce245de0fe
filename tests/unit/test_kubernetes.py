"""The Kubernetes deployment (deploy/kubernetes/): every manifest validates offline against the
Kubernetes API schemas (kubernetes-validate, strict: an unknown field fails), and the Zero to
JupyterHub values mount the exchange in the course's own layout, one learner's part only.
Nothing here is applied to a cluster or rendered by Helm (our machines have neither)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from grader.nbgrader_glue import exchange_layout as layout

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
KUBERNETES = "1.30"  # the oldest release still maintained when this was written
MANIFESTS = sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "z2jh-values.yaml")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_every_manifest_validates_against_the_api_schemas(path: Path) -> None:
    documents = _documents(path)
    assert documents, f"{path.name} holds no manifest"
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES, strict=True)


def test_a_wrong_field_is_refused_by_the_validator() -> None:
    """The check above can fail: a misspelt field of a real manifest is an error."""
    (job,) = [d for d in _documents(DEPLOY / "30-grading.yaml") if d["kind"] == "Job"]
    job["spec"]["template"]["spec"]["restartPolicyy"] = "Never"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES, strict=True)


def _kinds() -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for path in MANIFESTS:
        for document in _documents(path):
            kinds.setdefault(document["kind"], []).append(document)
    return kinds


def test_the_pieces_of_a_class_are_there() -> None:
    kinds = _kinds()
    assert {"Namespace", "RuntimeClass", "PersistentVolumeClaim", "StatefulSet", "Job", "NetworkPolicy"} <= set(kinds)
    (job,) = kinds["Job"]
    pod = job["spec"]["template"]["spec"]
    assert pod["runtimeClassName"] == kinds["RuntimeClass"][0]["metadata"]["name"]
    assert not pod["containers"][0].get("securityContext", {}).get("privileged"), "a lab is never privileged"
    mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["/kit"]["readOnly"] and mounts["/input"]["readOnly"], "a grading pod sees one submission"
    assert "subPath" in mounts["/input"] and "subPath" in mounts["/result"]


def test_the_values_mount_one_learner_s_part_of_the_exchange() -> None:
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    single = values["singleuser"]
    assert single["extraPodConfig"]["runtimeClassName"] == "docker-course-lab"
    mounts = {m["subPath"]: m for m in single["storage"]["extraVolumeMounts"] if m["name"] == "exchange"}
    inbound = layout.learner_root("{username}", Path("/x")).relative_to("/x")
    release = layout.outbound(Path("/x")).relative_to("/x")
    feedback = layout.learner_feedback("{username}", Path("/x")).relative_to("/x")
    assert set(mounts) == {str(inbound), str(release), str(feedback)}
    assert not mounts[str(inbound)].get("readOnly") and mounts[str(release)]["readOnly"]
    assert mounts[str(feedback)]["readOnly"]
    for sub, mount in mounts.items():
        assert mount["mountPath"] == f"/srv/nbgrader/exchange/{sub}", "the layout the relative links expect"
    config = single["extraFiles"]["nbgrader-config"]["stringData"]
    assert "/srv/nbgrader/exchange/learners/{me}" in config and layout.COURSE_ID in config
    assert values["cull"]["enabled"] and values["hub"]["config"]["Authenticator"]["admin_users"] == ["instructor"]
    compile(values["hub"]["extraConfig"]["docker-course-exchange"], "extraConfig", "exec")
