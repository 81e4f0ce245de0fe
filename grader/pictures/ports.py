"""The port mapping of running containers, drawn from live state: host ip:port -> container:port.

Each running container is a box listing its container ports; every binding in force
(IPv4 and IPv6 alike) is an arrow from a host address:port on the left. Ports the image
EXPOSEs but nobody published are drawn dashed: no arrow leads to them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from grader.facts.containers import PortBinding
from grader.facts.inventory import PublishedPorts, learner_containers
from grader.facts.snapshot import EngineFacts

LINE = 30  # height of one port line
HEAD = 30  # height of a container box's title
WIDTH = 700


@dataclass(frozen=True)
class Arrow:
    """One binding in force: ``host`` (ip:port) -> ``target`` (port/proto)."""

    host: str
    target: str


@dataclass
class ContainerPorts:
    """One running container's published and unpublished ports."""

    name: str
    image: str
    bindings: list[Arrow] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        """Container ports, published or not, in port order."""
        ports = {a.target for a in self.bindings} | set(self.unpublished)
        return sorted(ports, key=lambda p: (int(p.split("/")[0]), p))


def _host(binding: PortBinding) -> str:
    ip = binding.host_ip or "0.0.0.0"
    return f"[{ip}]:{binding.host_port}" if ":" in ip else f"{ip}:{binding.host_port}"


def port_rows(containers: list[PublishedPorts]) -> list[ContainerPorts]:
    """Rows of the picture from the containers' ports (running containers, by name)."""
    rows = []
    for ports in sorted(containers, key=lambda c: c.name):
        arrows = [Arrow(_host(b), f"{b.container_port}/{b.protocol}") for b in ports.bindings]
        # stable: bindings of one port keep the engine's order (IPv4 before IPv6)
        rows.append(
            ContainerPorts(ports.name, ports.image, sorted(arrows, key=lambda a: a.target), list(ports.unpublished))
        )
    return rows


def live_rows(facts: EngineFacts) -> list[ContainerPorts]:
    """Rows for every running container of the learner's (the grader's probes and labs left out).

    Raises:
        EngineUnavailable: the engine did not answer.
    """
    return port_rows([PublishedPorts.of(c) for c in learner_containers(facts.client)])


def port_map_html(source: EngineFacts | list[ContainerPorts] | None = None) -> str:
    """An SVG of the port mapping (escaped HTML), from live state or from prepared rows.

    Example::

        from IPython.display import HTML
        HTML(port_map_html())  # the course engine, now
    """
    if isinstance(source, list):
        return _svg(source)
    if source is None:
        from grader.engine.client import course_engine

        source = EngineFacts(course_engine())
    return _svg(live_rows(source))


def _box(x: int, y: int, w: int, text: str, fill: str, dashed: bool = False, color: str = "#24292f") -> str:
    dash = " stroke-dasharray='5 3'" if dashed else ""
    return (
        f"<rect x='{x}' y='{y}' width='{w}' height='{LINE - 8}' rx='4' fill='{fill}' stroke='{color}'{dash}/>"
        f"<text x='{x + 8}' y='{y + 15}' fill='{color}'>{html.escape(text)}</text>"
    )


def _svg(rows: list[ContainerPorts]) -> str:
    e = html.escape
    parts = [
        "<text x='20' y='18' font-weight='bold'>engine host (ip:port)</text>",
        "<text x='420' y='18' font-weight='bold'>running containers (port/proto)</text>",
    ]
    y = 32
    for row in rows:
        lines = [(t, [a for a in row.bindings if a.target == t]) for t in row.targets] or [("", [])]
        height = HEAD + sum(max(1, len(arrows)) for _, arrows in lines) * LINE + 6
        parts.append(f"<rect x='410' y='{y}' width='280' height='{height}' rx='8' fill='#f6f8fa' stroke='#57606a'/>")
        parts.append(f"<text x='420' y='{y + 19}' font-weight='bold'>{e(row.name)}</text>")
        parts.append(f"<text x='680' y='{y + 19}' text-anchor='end' fill='#57606a'>{e(row.image)}</text>")
        line_y = y + HEAD
        for target, arrows in lines:
            if not target:
                parts.append(f"<text x='430' y='{line_y + 15}' fill='#57606a'>no exposed or published port</text>")
            elif not arrows:
                parts.append(_box(430, line_y, 130, target, "#ffffff", dashed=True, color="#8c959f"))
                parts.append(f"<text x='390' y='{line_y + 15}' text-anchor='end' fill='#8c959f'>not published</text>")
            else:
                parts.append(_box(430, line_y + (len(arrows) - 1) * LINE // 2, 130, target, "#dafbe1"))
            for i, arrow in enumerate(arrows):
                hy = line_y + i * LINE
                ty = line_y + (len(arrows) - 1) * LINE // 2 + (LINE - 8) // 2
                parts.append(_box(20, hy, 200, arrow.host, "#ddf4ff"))
                parts.append(
                    f"<line x1='220' y1='{hy + (LINE - 8) // 2}' x2='426' y2='{ty}' stroke='#0969da' "
                    "stroke-width='1.5' marker-end='url(#course-port-arrow)'/>"
                )
            line_y += max(1, len(arrows)) * LINE
        y += height + 12
    if not rows:
        parts.append("<text x='20' y='52' fill='#57606a'>No container is running.</text>")
        y += 40
    marker = (
        "<defs><marker id='course-port-arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#0969da'/></marker></defs>"
    )
    summary = "; ".join(
        f"{r.name}: " + (", ".join(f"{a.host} -> {a.target}" for a in r.bindings) or "none") for r in rows
    )
    return (
        f"<figure class='course-port-map' style='margin:0'><svg xmlns='http://www.w3.org/2000/svg' "
        f"width='{WIDTH}' height='{y}' viewBox='0 0 {WIDTH} {y}' font-family='monospace' font-size='12' "
        f"role='img'><title>{e('Published ports: ' + (summary or 'none'))}</title>{marker}{''.join(parts)}</svg>"
        "</figure>"
    )
