"""Check type: an answer variable holds a network's subnet or gateway (compared normalised)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from grader.checks.answers import answer_text
from grader.checks.base import Check, Context, Outcome

NO_VALUE = "<no value>"
COMPUTE = "compute it in the notebook from `docker network inspect {network}` (IPAM.Config), never type it"


def compare_subnet(given: str, truth: str, gateway: str) -> tuple[bool, str]:
    """(passed, hint) for a subnet answer against the network's subnet and gateway."""
    try:
        wanted = ipaddress.ip_network(truth, strict=False)
    except ValueError:
        return False, f"The engine reports an unusual subnet ({truth}); ask your instructor."
    if "/" not in given:
        if given == gateway:
            return False, "That is the gateway's address: the subnet is the network with its prefix length."
        return False, "A subnet needs its prefix length (CIDR notation: address/prefix, as the IPAM data shows it)."
    try:
        network = ipaddress.ip_network(given)
    except ValueError:
        try:
            loose = ipaddress.ip_network(given, strict=False)
        except ValueError:
            return False, "That is not a subnet in CIDR notation (address/prefix)."
        if loose == wanted:
            return False, (
                "That is an address inside the subnet (with host bits set, like the gateway's interface "
                "address): the subnet is the network address, as IPAM.Config.Subnet shows it."
            )
        return False, _mismatch("subnet")
    if network == wanted:
        return True, ""
    return False, _mismatch("subnet")


def compare_gateway(given: str, truth: str, subnet: str) -> tuple[bool, str]:
    """(passed, hint) for a gateway answer against the network's gateway and subnet."""
    if "/" in given:
        try:
            if ipaddress.ip_network(given, strict=False) == ipaddress.ip_network(subnet, strict=False) and (
                ipaddress.ip_interface(given).ip == ipaddress.ip_network(given, strict=False).network_address
            ):
                return False, "That is the subnet: the gateway is one address (the bridge's own), with no /prefix."
            if str(ipaddress.ip_interface(given).ip) == truth:
                return False, "The gateway is an address alone: drop the /prefix."
        except ValueError:
            pass
        return False, "The gateway is one IP address, with no /prefix."
    try:
        address = ipaddress.ip_address(given)
    except ValueError:
        return False, "That is not an IP address."
    if address == ipaddress.ip_address(truth):
        return True, ""
    try:
        if address == ipaddress.ip_network(subnet, strict=False).network_address:
            return False, "That is the subnet's network address: the gateway is the bridge's own address."
    except ValueError:
        pass
    return False, _mismatch("gateway")


def _mismatch(what: str) -> str:
    return (
        f"It does not match this engine's {what}. Read it from the engine (docker network inspect): "
        "a value typed from an earlier run or another machine does not count."
    )


@dataclass
class NetworkAnswer(Check):
    """The answer variable ``answer`` holds the ``field`` (``subnet`` or ``gateway``) of ``network``."""

    answer: str = ""
    network: str = "bridge"
    field: str = "subnet"
    kind: ClassVar[str] = "network answer"
    REQUIRED = ("answer", "network")
    CHOICES = {"field": ("subnet", "gateway")}
    OBJECTS = {"network": "network"}
    ANSWERS = ("answer",)

    def describe(self) -> str:
        return self.title or f"{self.answer} is the {self.field} of network {self.network}"

    def evaluate(self, ctx: Context) -> Outcome:
        net = ctx.facts.network(self.network)
        subnet = net.subnets[0] if net.subnets else ""
        gateway = ctx.facts.gateway(self.network)
        expected = f"{self.answer} = the {self.field} of network {self.network} (IPAM.Config)"
        value = ctx.answers.get(self.answer)
        given = answer_text(value)
        if value is not None and given in (None, NO_VALUE):  # computed, and it came out empty
            return Outcome(False, expected, f"{self.answer} came out empty", self._empty_hint(net.gateways))
        if given is None:  # never set (the notebook's stub sets None)
            hint = f"Set {self.answer}: {COMPUTE.format(network=self.network)}."
            if self.field == "gateway" and not net.gateways:
                hint += " " + self._empty_hint(net.gateways)
            return Outcome(False, expected, "not set", hint)
        if self.field == "subnet":
            passed, hint = compare_subnet(given, subnet, gateway)
        else:
            passed, hint = compare_gateway(given, gateway, subnet)
        return Outcome(passed, expected, f"{self.answer} = {given!r}", hint)

    def _empty_hint(self, ipam_gateways: list[str]) -> str:
        """Why a value computed by the learner's code came out empty, from what this engine returns."""
        if self.field == "subnet":
            return f"Your code set {self.answer} to nothing: read Subnet in {self.network}'s IPAM.Config."
        if ipam_gateways:
            return (
                f"Your code read an empty gateway, but this engine's IPAM.Config of {self.network} holds a Gateway: "
                "read that key (IPAM.Config[0]['Gateway']); the docker0 fallback is only for engines that leave it out."
            )
        return (
            f"This engine leaves Gateway out of the {self.network} network's IPAM data (Docker 20.10 does), so code "
            "reading it there gets nothing: fall back to the bridge's own address, as the notebook does: "
            f"`ip -4 addr show {'docker0' if self.network == 'bridge' else 'BRIDGE'}` (the address before the /)."
        )
