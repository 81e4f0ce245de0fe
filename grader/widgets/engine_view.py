"""What is in the course engine now (containers, networks, volumes, images), and "reset the lab"."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from grader.engine.progress import Reporter
from grader.errors import GraderError
from grader.facts.engine_errors import ENGINE_ERRORS
from grader.facts.inventory import ContainerSummary, Inventory, read_inventory
from grader.services.lab_control import reset_engine
from grader.widgets.links import proxy_link

e = html.escape
# what the panel shows as one red line instead of a traceback: ours, or the engine not answering
SHOWN_ERRORS: tuple[type[BaseException], ...] = (GraderError, *ENGINE_ERRORS)


def _ports(container: ContainerSummary) -> str:
    """Published ports, IPv4/IPv6 twins once, each with a browser link while the container runs."""
    seen: list[int] = []
    cells = []
    for p in container.ports:
        if p.host_port not in seen:
            seen.append(p.host_port)
            cell = f"{e(p.host_ip)}:{p.host_port}&rarr;{p.container_port}/{e(p.protocol)}"
            if container.running:
                cell += " " + proxy_link(p.host_port, "open", note=False)
            cells.append(cell)
    return "<br>".join(cells) or "-"


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p style='color:#57606a;margin:2px 0'>{e(empty)}</p>"
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in headers)
    td = "<td style='padding:2px 8px;text-align:left'>{}</td>"
    body = "".join("<tr>" + "".join(td.format(c) for c in row) + "</tr>" for row in rows)
    return f"<table style='border-collapse:collapse;font-size:90%'><tr>{head}</tr>{body}</table>"


def engine_html(inventory: Inventory) -> str:
    """Escaped HTML of the engine's containers (the learner's), networks, volumes and images."""
    container_rows = []
    for c in inventory.containers:
        color = "#1a7f37" if c.running else "#57606a"
        state = f"<span style='color:{color}'>{e(c.status)}</span>"
        container_rows.append([e(c.name), e(c.image), state, _ports(c)])
    network_rows = [[e(n.name), e(n.driver), e(", ".join(n.subnets) or "-")] for n in inventory.networks]
    volume_rows = [[e(v.name[:40]), e(v.driver)] for v in inventory.volumes]
    image_rows = [
        [e(", ".join(i.tags or ("<none> (dangling)",))), f"{i.size / 1e6:.1f} MB", e(i.id[7:19])]
        for i in inventory.images
    ]
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


def _read_course_engine() -> Inventory:
    from grader.engine.client import course_engine

    return read_inventory(course_engine(timeout=30))


def reset_lab(report: Reporter) -> str:
    """Reset the course engine as `docker-course engine reset` does; a one-line summary."""
    return f"Reset: {reset_engine(report=report).counts()} removed."


class EnginePanel:
    """A Refresh button, the engine's contents, and a "Reset the lab" button that asks first.

    Example::

        from grader.widgets import engine_panel
        engine_panel()
    """

    def __init__(
        self, read: Callable[[], Inventory] | None = None, reset: Callable[[Reporter], str] | None = None
    ) -> None:
        """Args: ``read`` the engine's inventory, ``reset`` it (defaults: the course engine, the reset service)."""
        self._read = read or _read_course_engine
        self._reset = reset or reset_lab
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

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        """Read the engine again."""
        try:
            self.view.value = engine_html(self._read())
        except SHOWN_ERRORS as err:
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
            summary = self._reset(lambda m: setattr(self.status, "value", e(m)))
        except SHOWN_ERRORS as err:
            summary = f"Reset failed: {err}"
        self._hide_question(summary)
        self.refresh()


def engine_panel() -> None:
    """Show what is in the course engine now, with Refresh and Reset buttons."""
    from IPython.display import display

    display(EnginePanel())
