"""The host network labs attach to, and the rules that keep a lab's traffic on this machine.

Two layers: on the host, a ``DOCKER-USER`` rule drops what leaves the labs'
bridge for anywhere but the bridge itself (best effort: a host without
``iptables`` or that chain cannot have it, and says so); inside every lab,
lab-init's own rule drops what the lab's containers forward off the lab. The
second is the lab's contract (its containers have no route off the machine): the
host verifies it in each lab it starts, and a lab without it does not start.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from grader.engine import boundary_files
from grader.engine.progress import Reporter, silent
from grader.engine.settings import COURSE_LABEL
from grader.errors import LabError

LAB_NETWORK = "docker-course-labs"
LAB_SUBNET = "10.213.0.0/16"  # outside 172.17.0.0/16: the lab's own docker0 keeps the default
LAB_BRIDGE = "dcourse0"
HOST_RULE = ("DOCKER-USER", "-i", LAB_BRIDGE, "!", "-o", LAB_BRIDGE, "-j", "DROP")
EGRESS_FILE = "egress-rule"  # in the lab's run folder: the rule lab-init inserted, one argument a line


def ensure_network(host: docker.DockerClient, report: Reporter = silent) -> None:
    """The host network labs attach to, with the host-side no-egress rule where the host allows it.

    Raises:
        LabError: the network cannot be created.
    """
    try:
        host.networks.get(LAB_NETWORK)
    except NotFound:
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=LAB_SUBNET)])
        try:
            host.networks.create(
                LAB_NETWORK,
                driver="bridge",
                ipam=ipam,
                labels={COURSE_LABEL: "lab-network"},
                options={"com.docker.network.bridge.name": LAB_BRIDGE},
            )
        except APIError as e:
            if "already exists" not in str(e):
                raise LabError(f"Could not create the labs' network: {e.explanation}") from e
    missing = host_rule_missing()
    if missing:
        report(f"host firewall: {missing}; each lab's own no-egress rule (verified) keeps its containers in")


def host_rule_missing() -> str:
    """Insert the host-side rule if needed; '' when it holds, else why it cannot (one clause)."""
    iptables = shutil.which("iptables")
    if not iptables:
        return "no iptables on this host, so no DOCKER-USER rule for the labs' bridge"
    chain = subprocess.run([iptables, "-S", HOST_RULE[0]], capture_output=True, text=True)
    if chain.returncode != 0:
        return f"no {HOST_RULE[0]} chain on this host ({_last_line(chain)})"
    if subprocess.run([iptables, "-C", *HOST_RULE], capture_output=True).returncode == 0:
        return ""
    inserted = subprocess.run([iptables, "-I", *HOST_RULE], capture_output=True, text=True)
    if inserted.returncode != 0:
        return f"iptables refused the labs' DOCKER-USER rule ({_last_line(inserted)})"
    if subprocess.run([iptables, "-C", *HOST_RULE], capture_output=True).returncode != 0:
        return "the labs' DOCKER-USER rule did not hold after inserting it"
    return ""


def lab_rule_problem(container: docker.models.containers.Container, run_dir: Path) -> str:
    """'' when the lab's own no-egress rule is in place (checked in the lab), else what is wrong."""
    try:
        rule = boundary_files.read_text(run_dir, EGRESS_FILE).split("\n")  # the lab's folder: no links followed
    except OSError:
        return f"lab-init did not report a no-egress rule ({run_dir / EGRESS_FILE} is missing)"
    rule = [arg for arg in rule if arg]
    if not rule:
        return "lab-init could not insert its no-egress rule"
    try:
        code, output = container.exec_run(["iptables", "-C", *rule])
    except APIError as e:
        return f"could not check the lab's no-egress rule ({e.explanation})"
    if code != 0:
        text = output.decode(errors="replace").strip()
        return f"the lab's no-egress rule `iptables -C {' '.join(rule)}` does not hold ({text[-200:]})"
    return ""


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stderr or done.stdout or "").strip().splitlines()
    return lines[-1][:160] if lines else f"exit code {done.returncode}"
