"""What is in the course engine now (containers, networks, volumes, images), and "reset the lab"."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import docker
import ipywidgets as w

from grader.engine.settings import PROBE_LABEL
from grader.errors import GraderError
from grader.widgets.links import proxy_link

e = html.escape


def _ports(summary: dict[str, Any]) -> str:
    """Published ports, IPv4/IPv6 twins once, each with a browser link while the container runs."""
    seen: list[int] = []
    cells = []
    for p in summary.get("Ports") or []:
        public = p.get("PublicPort")
        if public and public not in seen:
            seen.append(public)
            cell = f"{e(str(p.get('IP', '')))}:{public}&rarr;{p.get('PrivatePort')}/{e(str(p.get('Type', '')))}"
            if summary.get("State") == "running":
                cell += " " + proxy_link(int(public), "open", note=False)
            cells.append(cell)
    return "<br>".join(cells) or "-"


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p style='color:#57606a;margin:2px 0'>{e(empty)}</p>"
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in headers)
    td = "<td style='padding:2px 8px;text-align:left'>{}</td>"
    body = "".join("<tr>" + "".join(td.format(c) for c in row) + "</tr>" for row in rows)
    return f"<table style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>{body}</table>"


def engine_html(client: docker.DockerClient) -> str:
    """Escaped HTML of the engine's containers, networks, volumes and images (probes left out)."""
    api = client.api
    containers = [c for c in api.containers(all=True) if PROBE_LABEL not in (c.get("Labels") or {})]
    container_rows = []
    for c in sorted(containers, key=lambda c: c.get("Names", [""])[0]):
        color = "#1a7f37" if c.get("State") == "running" else "#57606a"
        state = f"<span style='color:{color}'>{e(str(c.get('Status', '')))}</span>"
        name = ",".join(n.lstrip("/") for n in c.get("Names") or [])
        container_rows.append([e(name), e(str(c.get("Image", ""))), state, _ports(c)])
    network_rows = []
    for n in sorted(api.networks(), key=lambda n: n.get("Name", "")):
        subnets = ", ".join(str(cfg.get("Subnet", "")) for cfg in (n.get("IPAM") or {}).get("Config") or [])
        network_rows.append([e(n.get("Name", "")), e(n.get("Driver", "")), e(subnets or "-")])
    volume_rows = [[e(v.get("Name", "")[:40]), e(v.get("Driver", ""))] for v in (api.volumes().get("Volumes") or [])]
    image_rows = []
    for i in sorted(api.images(), key=lambda i: (i.get("RepoTags") or ["~"])[0]):
        tags = [t for t in i.get("RepoTags") or [] if t != "<none>:<none>"] or ["<none> (dangling)"]
        image_rows.append([e(", ".join(tags)), f"{i.get('Size', 0) / 1e6:.1f} MB", e(i.get("Id", "")[7:19])])
    section = "<h4 style='margin:8px 0 2px'>{}</h4>{}"
    return (
        "<div class='course-engine-panel' style='font-family:sans-serif'>"
        + section.format(
            f"Containers ({len(container_rows)})",
            _table(["name", "image", "state", "ports"], container_rows, "no containers"),
        )
        + section.format(f"Networks ({len(network_rows)})", _table(["name", "driver", "subnet"], network_rows, ""))
        + section.format(f"Volumes ({len(volume_rows)})", _table(["name", "driver"], volume_rows, "no volumes"))
        + section.format(f"Images ({len(image_rows)})", _table(["tag", "size", "id"], image_rows, "no images"))
        + "</div>"
    )


def reset_lab(client: docker.DockerClient, report: Callable[[str], None]) -> str:
    """Reset the course engine as `docker-course engine reset` does; a one-line summary."""
    from grader.services.lab_control import reset_engine

    return f"Reset: {reset_engine(client=client, report=report).counts()} removed."


class EnginePanel:
    """A Refresh button, the engine's contents, and a "Reset the lab" button that asks first.

    Example::

        from grader.widgets import engine_panel
        engine_panel()
    """

    def __init__(self, client_factory: Callable[[], docker.DockerClient] | None = None):
        self._client_factory = client_factory
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.reset_button = w.Button(description="Reset the lab...", button_style="danger", icon="trash")
        self.confirm = w.Button(description="Yes, delete my containers", button_style="danger")
        self.cancel = w.Button(description="Cancel")
        self.question = w.HTML(
            "<b>Reset?</b> This removes every container, network, volume and image you made "
            "(base images stay). Your notebooks and files are kept."
        )
        self.confirm_box = w.HBox([self.question, self.confirm, self.cancel])
        self.confirm_box.layout.display = "none"
        self.status = w.HTML("")
        self.view = w.HTML("")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.reset_button.on_click(lambda _: self._ask())
        self.cancel.on_click(lambda _: self._hide_question("Reset cancelled."))
        self.confirm.on_click(lambda _: self.reset())
        buttons = w.HBox([self.refresh_button, self.reset_button, self.status])
        self.widget = w.VBox([buttons, self.confirm_box, self.view])
        self.widget.add_class("course-engine-widget")
        self.refresh()

    def _client(self) -> docker.DockerClient:
        if self._client_factory is not None:
            return self._client_factory()
        from grader.engine.client import course_engine

        return course_engine(timeout=30)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        """Read the engine again."""
        try:
            self.view.value = engine_html(self._client())
        except (GraderError, docker.errors.DockerException) as err:
            self.view.value = f"<div style='color:#cf222e'>{e(str(err))}</div>"

    def _ask(self) -> None:
        self.confirm_box.layout.display = "flex"
        self.reset_button.disabled = True

    def _hide_question(self, message: str) -> None:
        self.confirm_box.layout.display = "none"
        self.reset_button.disabled = False
        self.status.value = e(message)

    def reset(self) -> None:
        """Reset the engine (after the learner confirmed), then refresh the view."""
        self.confirm_box.layout.display = "none"
        self.status.value = "resetting..."
        try:
            summary = reset_lab(self._client(), report=lambda m: setattr(self.status, "value", e(m)))
        except (GraderError, docker.errors.DockerException) as err:
            summary = f"Reset failed: {err}"
        self._hide_question(summary)
        self.refresh()


def engine_panel() -> None:
    """Show what is in the course engine now, with Refresh and Reset buttons."""
    from IPython.display import display

    display(EnginePanel())
