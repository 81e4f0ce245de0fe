"""Check type: a container's output lists the engine host's network interfaces (seen via nsenter)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome
from grader.checks.container_privilege import missing_capabilities
from grader.facts.networks import parse_links
from grader.facts.probe import ProbeSpec

_IP_ADDR_LINE = re.compile(r"^\d+:\s+([^:@\s]+)[:@]", re.MULTILINE)


def listed_interfaces(output: str) -> list[str]:
    """Interface names from `ip addr` / `ip link` output, in order."""
    return _IP_ADDR_LINE.findall(output)


def stable_interfaces(names: list[str]) -> list[str]:
    """Interfaces that outlive containers: veth pairs come and go with them."""
    return [n for n in names if not n.startswith("veth")]


# nsenter's refusals as busybox and util-linux word them: opening /proc/PID/ns/* (a ptrace access check) is
# "Permission denied", setns() without CAP_SYS_ADMIN is "Operation not permitted"
_OPEN_REFUSED = re.compile(r"(can't|cannot) open .*permission denied", re.IGNORECASE)
_SETNS_REFUSED = re.compile(r"(setns|reassociate).*operation not permitted", re.IGNORECASE)
NSENTER_CAPABILITIES = ("SYS_ADMIN", "SYS_PTRACE")


def refusal_hint(output: str, missing: list[str]) -> str:
    """Why nsenter was refused, from its error text and the capabilities the container lacks ("" if not refused)."""
    if _SETNS_REFUSED.search(output) and "SYS_ADMIN" in missing:
        return "nsenter opened the namespace but could not enter it: setns() needs --cap-add SYS_ADMIN."
    if not (_OPEN_REFUSED.search(output) or _SETNS_REFUSED.search(output)):
        return ""
    if "SYS_PTRACE" in missing:
        return (
            "nsenter could not open /proc/1/ns/net: opening another process's namespaces needs "
            "--cap-add SYS_PTRACE (and entering them --cap-add SYS_ADMIN), or --privileged."
        )
    if missing:
        return f"nsenter was refused: add --cap-add {' --cap-add '.join(missing)} (or --privileged)."
    return (
        "nsenter was refused although the container has both capabilities. On an AppArmor host (Ubuntu, "
        "Debian with AppArmor on; `docker info` lists apparmor under Security Options) Docker's docker-default "
        "profile forbids tracing processes outside the container: add --security-opt apparmor=unconfined. "
        "Otherwise this engine host's PID 1 is protected (a VM in host mode): do this exercise in the lab "
        "(`docker-course engine up`)."
    )


def interfaces_hint(
    listed: list[str], truth: list[str], output: str, network_mode: str, missing: list[str] | None = None
) -> str:
    """Why the output does not show the engine host's interfaces: the likely mistake.

    ``missing``: the capabilities nsenter needs that the container lacks (None: not known).
    """
    if network_mode == "host":
        return (
            "It ran with --network host, so it was already in the host's network namespace: run it "
            "without --network host and let nsenter -n -t 1 enter that namespace."
        )
    if not listed:
        refused = refusal_hint(output, list(NSENTER_CAPABILITIES) if missing is None else missing)
        if refused and missing is None:
            return (
                "nsenter was refused: give it --cap-add SYS_ADMIN --cap-add SYS_PTRACE (or --privileged). "
                "If it has them and is still refused, the host's AppArmor profile may forbid it "
                "(--security-opt apparmor=unconfined), or this engine host's PID 1 is protected (a VM in host "
                "mode): do this exercise in the lab (`docker-course engine up`)."
            )
        return refused or "Its output lists no interfaces: the command must be nsenter -n -t 1 ip addr."
    return (
        f"It lists {', '.join(listed)}: the container's own interfaces, not the host's "
        f"({', '.join(truth)}). --pid host forgotten? Without it, PID 1 is the container's own first "
        "process and nsenter -t 1 enters the namespace it is already in."
    )


@dataclass
class HostInterfacesListed(Check):
    """Container ``name``'s output lists every stable interface of the engine host's network
    namespace (docker0, ...), although the container has a network namespace of its own."""

    name: str = ""
    kind: ClassVar[str] = "host interfaces in output"
    REQUIRED = ("name",)
    OBJECTS = {"name": "container"}

    def describe(self) -> str:
        return self.title or f"the output of {self.name} lists the engine host's interfaces"

    def evaluate(self, ctx: Context) -> Outcome:
        facts = ctx.facts.container(self.name)
        truth_probe = ctx.facts.run(ProbeSpec(command=["ip", "-o", "link"], network_mode="host"))
        truth = stable_interfaces([i.name for i in parse_links(truth_probe.stdout)])
        expected = "the engine host's interfaces: " + ", ".join(truth)
        if not truth_probe.ok or not truth:
            return Outcome(False, expected, f"could not list them ({truth_probe.stderr.strip()[:120]})")
        output = facts.logs()
        listed = listed_interfaces(output)
        found = "lists " + (", ".join(listed) if listed else "no interfaces")
        if all(name in listed for name in truth) and facts.network_mode != "host":
            return Outcome(True, expected, found)
        if not listed and output.strip():
            found += f" (output: {output.strip().splitlines()[-1][:160]})"
        missing = missing_capabilities(facts, NSENTER_CAPABILITIES)
        return Outcome(False, expected, found, interfaces_hint(listed, truth, output, facts.network_mode, missing))
