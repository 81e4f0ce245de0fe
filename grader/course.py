"""What the ``docker-course`` commands do: start, describe, reset and provision the course engine.

The CLI parses and prints; this module orchestrates the engine package.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from grader.engine import catalogue, image_cache, lab, provided, provisioning
from grader.engine.client import course_engine, host_engine_url
from grader.engine.install import ensure_host_engine, ensure_host_tools
from grader.engine.progress import console
from grader.engine.reset import reset
from grader.engine.settings import Settings, course_dir, ensure_writable, in_lab, state_dir
from grader.errors import EngineUnavailable, GraderError


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.load()
    changed = False
    if getattr(args, "mode", None):
        settings.mode, changed = args.mode, True
    if getattr(args, "port", None):
        settings.jupyter_port, changed = args.port, True
    if getattr(args, "privileged", False):
        settings.privileged, changed = True, True
    if getattr(args, "name", None):
        settings.lab_name = args.name
    if changed:
        settings.save()
    return settings


def engine_up(args: argparse.Namespace) -> int:
    """Make the course engine (and JupyterLab unless --no-jupyter) run; print how to reach them."""
    report = console()
    settings = _settings(args)
    if in_lab():
        print("Already inside a course lab: its engine is the course engine.")
        return 0
    host = ensure_host_engine(report)
    jupyter = not getattr(args, "no_jupyter", False)
    if settings.mode == "lab":
        ensure_host_tools(report)
        provisioning.provision(host, report=report)
        info = lab.up(host, settings, jupyter=jupyter, report=report)
        print(f"Course engine: lab {info.name} ({info.docker_host})")
        if info.jupyter_url:
            print(f"JupyterLab:    {info.jupyter_url}")
        return 0
    ensure_host_tools(report)
    provisioning.provision(host, [t for t in catalogue.COURSE_BASE_TAGS], report=report)
    print(f"Course engine: host mode ({settings.docker_host()})")
    if jupyter:
        print(f"JupyterLab:    {_host_jupyter(settings, report)}")
    return 0


def up(args: argparse.Namespace) -> int:
    """The README's start command: everything set up, then the URL to open."""
    code = engine_up(args)
    if code == 0:
        print("\nOpen the JupyterLab URL above in your browser and start with 00-start-here.")
    return code


def status(settings: Settings | None = None) -> dict[str, Any]:
    """Mode, engine URL and version, base images present, JupyterLab URL."""
    settings = settings or Settings.load()
    data: dict[str, Any] = {
        "mode": settings.mode,
        "docker_host": settings.docker_host(),
        "in_lab": in_lab(),
        "lab": settings.lab_name if settings.mode == "lab" else None,
        "course_dir": str(course_dir()),
    }
    try:
        client = course_engine(timeout=20)
        version = client.version()
        data.update(
            reachable=True,
            engine_version=version.get("Version"),
            api_version=version.get("ApiVersion"),
            base_images={t: image_cache.present(client, catalogue.BY_TAG[t]) for t in catalogue.COURSE_BASE_TAGS},
        )
    except GraderError as e:
        data.update(reachable=False, error=str(e), base_images={})
    data["jupyter_url"] = _jupyter_url(settings)
    return data


def _jupyter_url(settings: Settings) -> str | None:
    if in_lab():
        return None
    if settings.mode == "host":
        info = _host_jupyter_info()
        return info.get("url") if info else None
    try:
        host = ensure_host_engine()
    except GraderError:
        return None
    container = lab.find(host, settings.lab_name)
    return lab.describe(host, container).jupyter_url if container is not None else None


def engine_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    data = status(settings)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0 if data["reachable"] else 2
    print(f"mode:        {data['mode']}" + (f" (lab {data['lab']})" if data.get("lab") else ""))
    print(f"docker_host: {data['docker_host']}")
    if data["reachable"]:
        print(f"engine:      Docker {data['engine_version']} (API {data['api_version']})")
        for tag, ok in data["base_images"].items():
            print(f"  {'present' if ok else 'MISSING':8} {tag}")
    else:
        print(f"engine:      not reachable: {data['error']}")
    print(f"jupyterlab:  {data['jupyter_url'] or 'not running'}")
    return 0 if data["reachable"] else 2


def engine_down(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.mode == "host":
        _stop_host_jupyter()
        print("Host mode: JupyterLab stopped; the engine itself is yours and keeps running.")
        return 0
    host = ensure_host_engine()
    removed = lab.down(host, settings.lab_name, keep_data=not args.purge)
    print(f"Lab {settings.lab_name} " + ("removed." if removed else "was not running."))
    return 0


def engine_reset(args: argparse.Namespace) -> int:
    settings = _settings(args)
    client = course_engine()
    whole = settings.mode == "lab"
    done = reset(client, whole_engine=whole, report=console())
    if whole:
        image_cache.load_into(client, report=console())
    if args.json:
        print(json.dumps(done.__dict__, indent=2))
    else:
        print(
            f"Reset {'the lab engine' if whole else 'course objects on the host engine'}: "
            f"{len(done.containers)} containers, {len(done.networks)} networks, "
            f"{len(done.volumes)} volumes, {len(done.images)} images removed."
        )
    return 0


def images(args: argparse.Namespace) -> int:
    report = console()
    host = ensure_host_engine(report)
    ensure_host_tools(report)
    done = provisioning.provision(host, args.names or None, pull=args.pull, report=report)
    if args.into_engine:
        image_cache.load_into(course_engine(), [i.tag for i in done if i in catalogue.BASE_IMAGES], report=report)
    for image in done:
        size = host.images.get(image.tag).attrs.get("Size", 0) / 1e6
        print(f"{image.tag:28} {size:8.1f} MB")
    return 0


def prepare(args: argparse.Namespace) -> int:
    report = console("prepare")
    client = course_engine()
    ready = provided.prepare(client, args.chapter, report=report)
    print(f"Chapter {provided.chapter_key(args.chapter)} is ready: {', '.join(ready)}")
    return 0


# -- JupyterLab in host mode ---------------------------------------------------------------


def _host_jupyter_file() -> Path:
    return state_dir() / "jupyter-host.json"


def _host_jupyter_info() -> dict[str, Any] | None:
    path = _host_jupyter_file()
    if not path.exists():
        return None
    info: dict[str, Any] = json.loads(path.read_text())
    try:
        os.kill(int(info["pid"]), 0)
    except (OSError, KeyError, ValueError):
        return None
    return info


def _host_jupyter(settings: Settings, report: Any) -> str:
    info = _host_jupyter_info()
    if info:
        report("JupyterLab is already running: reusing it")
        return str(info["url"])
    token = secrets.token_hex(16)
    port = settings.jupyter_port
    log = ensure_writable(state_dir(), "state") / "jupyter-host.log"
    env = dict(os.environ, DOCKER_COURSE_MODE="host", DOCKER_HOST=host_engine_url(), JUPYTER_TOKEN=token)
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip",
                "127.0.0.1",
                "--port",
                str(port),
                "--allow-root",
                f"--ServerApp.root_dir={course_dir()}",
            ],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EngineUnavailable(f"JupyterLab exited at start (port {port} in use?); see {log}.")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    _host_jupyter_file().write_text(json.dumps({"pid": proc.pid, "url": url, "port": port}))
    return url


def _stop_host_jupyter() -> None:
    info = _host_jupyter_info()
    if info:
        os.kill(int(info["pid"]), signal.SIGTERM)
    _host_jupyter_file().unlink(missing_ok=True)
