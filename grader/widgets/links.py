"""Links that reach a published port from the learner's browser, through JupyterLab.

In the lab, ``-p 8000:80`` publishes on the lab's localhost, not the learner's
machine. jupyter-server-proxy (installed with the course) forwards
``<JupyterLab>/proxy/8000/`` to ``localhost:8000`` as seen by the server, which
shares the lab's network namespace with dockerd: the link works wherever
JupyterLab itself is reachable.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable

from grader.errors import GraderError
from grader.facts.containers import PortBinding


def server_base_url() -> str:
    """The JupyterLab server's base URL ("/" unless behind JupyterHub or configured)."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        return prefix if prefix.endswith("/") else prefix + "/"
    try:
        from jupyter_server.serverapp import list_running_servers

        for server in list_running_servers():
            base = str(server.get("base_url") or "/")
            return base if base.endswith("/") else base + "/"
    except Exception:  # noqa: BLE001 - no server info: the default base URL is right in the lab
        pass
    return "/"


def proxy_url(port: int, path: str = "/") -> str:
    """The path (on the JupyterLab server) that reaches ``localhost:port``.

    Example::

        proxy_url(8000)  # '/proxy/8000/'
    """
    if not 0 < int(port) < 65536:
        raise GraderError(f"{port} is not a port number (1-65535).")
    return f"{server_base_url()}proxy/{int(port)}/{path.lstrip('/')}"


def proxy_link(port: int, text: str = "", path: str = "/", note: bool = True) -> str:
    """Escaped HTML: a link that opens ``localhost:port`` in a new browser tab, via JupyterLab."""
    url = proxy_url(port, path)
    label = text or f"open port {port} in your browser"
    link = (
        f"<a class='course-proxy-link' href='{html.escape(url)}' target='_blank' rel='noopener'>"
        f"{html.escape(label)}</a>"
    )
    return link + (f" <small style='color:#57606a'>(via JupyterLab: {html.escape(url)})</small>" if note else "")


def host_ports(bindings: Iterable[PortBinding]) -> list[int]:
    """Distinct host ports of port bindings (IPv4 and IPv6 bindings of one port count once)."""
    ports: list[int] = []
    for b in bindings:
        if b.host_port and b.host_port not in ports:
            ports.append(b.host_port)
    return ports


def published_links(container: str) -> str:
    """Escaped HTML: one proxy link per host port ``container`` publishes (or why there is none)."""
    from grader.engine.client import course_engine
    from grader.facts.containers import ContainerFacts

    try:
        facts = ContainerFacts.read(course_engine(timeout=10), container)
    except GraderError as e:
        return f"<div class='course-proxy-links'>{html.escape(str(e))}</div>"
    ports = host_ports(facts.port_bindings)
    if not ports:
        return (
            f"<div class='course-proxy-links'>{html.escape(container)} publishes no port "
            "(run it with -p or -P to reach it from outside).</div>"
        )
    items = "".join(f"<li>{proxy_link(p, f'{container} on host port {p}')}</li>" for p in ports)
    return f"<div class='course-proxy-links'><ul style='margin:2px 0'>{items}</ul></div>"


def show_published(container: str) -> None:
    """Display links to every port ``container`` publishes (chapter 02)."""
    from IPython.display import HTML, display

    display(HTML(published_links(container)))


def show_port(port: int, text: str = "") -> None:
    """Display a link to ``localhost:port`` through JupyterLab."""
    from IPython.display import HTML, display

    try:
        display(HTML(proxy_link(port, text)))
    except GraderError as e:
        print(e)
