"""The labs' firewall on the host: a lab answers the host, and reaches neither the host's services nor another lab.

Every lab network's bridge is named ``dcl-...``; one chain, hooked into INPUT and
FORWARD for ``dcl+`` (IPv4 and IPv6), accepts replies and drops the rest. The
course's labs engine runs with ``--iptables=false``, so these are the only rules
that concern labs, and the host engine's own chains are never edited.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grader.engine.progress import Reporter, silent
from grader.errors import LabError

BRIDGE_PREFIX = "dcl-"  # every lab network's bridge; the firewall matches `dcl+`
FIREWALL_CHAIN = "DOCKER-COURSE-LABS"
HOOKS = (("INPUT", "-i"), ("FORWARD", "-i"), ("FORWARD", "-o"))


def firewall_rules() -> list[list[str]]:
    """The labs' firewall: a lab answers the host, and reaches neither the host's services nor another lab.

    Traffic the host starts (JupyterLab's published port, through the userland proxy) and
    its replies pass; anything a lab starts towards the host or through it is dropped.
    """
    rules = [["-N", FIREWALL_CHAIN]]
    rules.append(["-A", FIREWALL_CHAIN, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"])
    rules.append(["-A", FIREWALL_CHAIN, "-j", "DROP"])
    rules += [["-I", chain, way, BRIDGE_PREFIX + "+", "-j", FIREWALL_CHAIN] for chain, way in HOOKS]
    return rules


def ensure_firewall(report: Reporter = silent) -> None:
    """Put the labs' firewall in place (IPv4 and IPv6) unless it is there already.

    Raises:
        LabError: iptables is missing or refuses: a lab could reach the host's services, so none starts.
    """
    for tool in ("iptables", "ip6tables"):
        binary = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
        if binary is None:
            if tool == "ip6tables":
                continue
            raise LabError("No iptables on this host: the labs' firewall cannot be set, so no lab starts.")
        if _firewall_holds(binary):
            continue
        report(f"{tool}: the labs' firewall ({FIREWALL_CHAIN}: labs reach neither the host nor each other)")
        for rule in firewall_rules():
            if rule[0] == "-I" and _holds(binary, ["-C", *rule[1:]]):
                continue
            done = subprocess.run([binary, "-w", *rule], capture_output=True, text=True)
            if done.returncode != 0 and "exists" not in done.stderr:
                raise LabError(f"`{tool} {' '.join(rule)}` failed ({done.stderr.strip()[:200]}): no lab starts.")
    _hook_docker_user()


def _hook_docker_user() -> None:
    """Also first in the host engine's ``DOCKER-USER`` chain, where it has one.

    Container labs (the fallback) have their bridges on the host engine, whose own FORWARD rules
    accept what leaves a bridge; ``DOCKER-USER`` is the chain that engine promises to run before
    them, whatever order its restarts leave FORWARD in.
    """
    binary = shutil.which("iptables") or "/usr/sbin/iptables"
    hook = ["DOCKER-USER", "-i", BRIDGE_PREFIX + "+", "-j", FIREWALL_CHAIN]
    if not Path(binary).exists() or not _holds(binary, ["-S", "DOCKER-USER"]) or _holds(binary, ["-C", *hook]):
        return
    subprocess.run([binary, "-w", "-I", *hook], capture_output=True)


def _firewall_holds(binary: str) -> bool:
    hooks = all(_holds(binary, ["-C", chain, way, BRIDGE_PREFIX + "+", "-j", FIREWALL_CHAIN]) for chain, way in HOOKS)
    return hooks and _holds(binary, ["-C", FIREWALL_CHAIN, "-j", "DROP"])


def _holds(binary: str, rule: list[str]) -> bool:
    return subprocess.run([binary, "-w", *rule], capture_output=True).returncode == 0
