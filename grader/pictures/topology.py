"""The bridge/veth/eth0 topology of the engine, drawn from live state as SVG.

Each bridge network (docker0, br-*) is a vertical bar in the engine host's network
namespace; every running container attached to it is a box on the left whose eth0
is joined to its veth peer on the host side, plugged into the bridge. The host's own
interfaces are on the right: traffic from the bridges is routed and NATed there, the
bridges themselves are not on the physical network. Containers in host, none and
container modes are drawn apart, below.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from grader.errors import GraderError
from grader.facts.snapshot import EngineFacts
from grader.facts.topology import BridgeView, ContainerView, Topology
from grader.widgets.display import show

ROW = 64  # height of one container row
BOX_W = 250  # container boxes
HOST_X = 290  # left edge of the engine host's namespace
VETH_X = 310
BRIDGE_X = 470
UPLINK_X = 760
WIDTH = 1000
FONT = "font-family:sans-serif;font-size:12px"


@dataclass(frozen=True)
class Row:
    """One container attached to one bridge, as drawn."""

    bridge: BridgeView
    container: ContainerView | None
    address: str
    veth: str
    inside: str


def rows_of(topology: Topology) -> list[Row]:
    """One row per (bridge, attached container); a bridge without containers gets an empty row."""
    rows = []
    for bridge in topology.bridges:
        attached = [c for c in topology.containers if c.mode == "bridge" and bridge.network in dict(c.networks)]
        for view in attached:
            veth, inside = _pair_on(topology, view, bridge)
            rows.append(Row(bridge, view, dict(view.networks)[bridge.network], veth, inside))
        if not attached:
            rows.append(Row(bridge, None, "", "", ""))
    return rows


def _pair_on(topology: Topology, view: ContainerView, bridge: BridgeView) -> tuple[str, str]:
    """(host-side veth, container-side name) of the container's interface plugged into ``bridge``."""
    for link in view.links:
        peer = topology.host_link(link.peer_index)
        if peer is not None and peer.master == bridge.interface:
            return peer.name, link.name
    return "?", "eth0"


def _text(x: int, y: int, text: str, extra: str = "") -> str:
    return f"<text x='{x}' y='{y}' {extra}>{html.escape(text)}</text>"


def _rect(x: int, y: int, w: int, h: int, fill: str, stroke: str) -> str:
    return f"<rect x='{x}' y='{y}' width='{w}' height='{h}' rx='5' fill='{fill}' stroke='{stroke}'/>"


def _line(x1: int, y1: int, x2: int, y2: int, style: str) -> str:
    return f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' {style}/>"


BOLD = "font-weight='bold'"
GREY = "fill='#57606a'"


def topology_svg(topology: Topology) -> str:
    """The picture as an SVG string (every name escaped)."""
    rows = rows_of(topology)
    others = [c for c in topology.containers if c.mode != "bridge"]
    top = 40
    height = top + ROW * max(len(rows), 1) + 40 + (ROW * len(others) if others else 0) + 20
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' style='{FONT}'>",
        _rect(HOST_X, 8, WIDTH - HOST_X - 8, height - 16, "#f6f8fa", "#8c959f"),
        _text(HOST_X + 10, 26, "engine host: the network namespace of dockerd", BOLD),
        _text(10, 26, "containers", BOLD),
    ]
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        y = top + i * ROW
        groups.setdefault(row.bridge.network, []).append(y)
        if row.container is None:
            out.append(_text(10, y + 30, f"(no running container on {row.bridge.network})", GREY))
            continue
        ports = ", ".join(row.container.ports)
        out += [
            _rect(10, y + 4, BOX_W, ROW - 12, "#ddf4ff", "#0969da"),
            _text(20, y + 22, row.container.name, BOLD),
            _text(20, y + 38, f"{row.inside} {row.address}"),
            _text(20, y + 52, f"published {ports}" if ports else "", GREY + " font-size='10'"),
            _line(BOX_W + 10, y + 30, VETH_X, y + 30, "stroke='#0969da' stroke-width='3'"),
            _rect(VETH_X, y + 18, 120, 24, "#fff8c5", "#9a6700"),
            _text(VETH_X + 6, y + 34, row.veth),
            _line(VETH_X + 120, y + 30, BRIDGE_X, y + 30, "stroke='#9a6700' stroke-width='2'"),
        ]
    address_of = {link.name: link.addresses for link in topology.host_links}
    for bridge in topology.bridges:
        ys = groups.get(bridge.network, [])
        if not ys:
            continue
        y0, y1 = ys[0] + 6, ys[-1] + ROW - 8
        address = (address_of.get(bridge.interface) or (bridge.gateway,))[0]
        out += [
            f"<rect x='{BRIDGE_X}' y='{y0}' width='14' height='{y1 - y0}' fill='#8250df'/>",
            _text(BRIDGE_X + 22, y0 + 14, bridge.interface, BOLD),
            _text(BRIDGE_X + 22, y0 + 28, address),
            _text(BRIDGE_X + 22, y0 + 42, f"network {bridge.network}, {bridge.subnet}", GREY),
            _line(BRIDGE_X + 240, y0 + 24, UPLINK_X, top + 30, "stroke='#8c959f' stroke-dasharray='4 3'"),
        ]
    bridges = {b.interface for b in topology.bridges}
    uplinks = [li for li in topology.host_links if li.name != "lo" and not li.master and li.name not in bridges]
    out.append(_text(UPLINK_X, top + 8, "routed and NATed by the host (iptables)", GREY))
    for i, link in enumerate(uplinks[:4]):
        y = top + 16 + i * 34
        out += [
            _rect(UPLINK_X, y, WIDTH - UPLINK_X - 20, 26, "#dafbe1", "#1a7f37"),
            _text(UPLINK_X + 6, y + 17, f"{link.name} {', '.join(link.addresses)} (host)"),
        ]
    if others:
        y = top + ROW * max(len(rows), 1) + 24
        out.append(_text(10, y, "other network modes", BOLD))
        for i, view in enumerate(others):
            out += _other(view, y + 10 + i * ROW)
    out.append("</svg>")
    return "\n".join(out)


def _other(view: ContainerView, y: int) -> list[str]:
    if view.mode == "host":
        mode, meaning = "--network host", "no namespace of its own: it uses the host's interfaces and ports"
        x, width, fill, stroke = HOST_X + 20, WIDTH - HOST_X - 50, "#dafbe1", "#1a7f37"
    elif view.mode == "none":
        names = ", ".join(link.name for link in view.links) or "lo"
        mode, meaning = "--network none", f"own namespace, only {names}"
        x, width, fill, stroke = 10, BOX_W, "#ffebe9", "#cf222e"
    else:
        mode, meaning = f"--network container:{view.joins}", f"in {view.joins}'s namespace (its IP, its ports)"
        x, width, fill, stroke = 10, BOX_W, "#fbefff", "#8250df"
    return [
        _rect(x, y, width, ROW - 12, fill, stroke),
        _text(x + 10, y + 18, f"{view.name}  {mode}", BOLD),
        _text(x + 10, y + 36, meaning),
    ]


def topology_html(source: EngineFacts | Topology | None = None) -> str:
    """The topology as HTML (an SVG), from the course engine now, or from a given topology.

    Example::

        from IPython.display import HTML
        HTML(topology_html())
    """
    if isinstance(source, Topology):
        topology = source
    else:
        if source is None:
            from grader.engine.client import course_engine

            source = EngineFacts(course_engine())
        topology = source.topology()
    return f"<div class='course-topology'>{topology_svg(topology)}</div>"


def show_topology() -> None:
    """Display the live topology in a notebook; an engine problem becomes one line."""
    try:
        picture = topology_html()
    except GraderError as e:
        print(f"No picture: {e}")
        return
    show(picture, picture)
