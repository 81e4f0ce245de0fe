"""Benchmark and verify the grader on an engine with the containerd image store (Docker 29's default).

In a bench lab (docker-course-bench-cstore), a second dockerd of the lab's
Docker 26 is started with ``features.containerd-snapshotter`` on (its own data
root, exec root, socket and bridge, no iptables), beside the lab's own
engine with the classic store. On both: busybox loaded from the cache, a plain
probe, a host probe (PID and network namespaces of the engine host), a probe
with nsenter, an SDK build (as ``prepare`` and the probes build), and the image
size that `docker images` shows; figures are the probe's time on each store.

Run: .venv/bin/python bench/containerd_store.py [--runs N]   (writes bench/results/containerd_store.json)
"""

from __future__ import annotations

import argparse
import io
import sys
import tarfile
import time
from typing import Any

import docker
from harness import PREFIX, Bench, load_images, run_bench, start_lab

from grader.engine import lab
from grader.engine.settings import Settings
from grader.facts.probe import ProbeSpec, host_probe, run_probe

LAB = PREFIX + "cstore"
SOCKET = "/run/course-engine/cstore.sock"  # in the lab's run folder: the host reaches it there
DAEMON = (
    "ip link add cstore0 type bridge && ip addr add 172.31.250.1/24 dev cstore0 && ip link set cstore0 up && "
    'mkdir -p /etc/cstore && echo \'{"features": {"containerd-snapshotter": true}}\' > /etc/cstore/daemon.json && '
    "(dockerd --config-file /etc/cstore/daemon.json --data-root /var/lib/docker/cstore --exec-root /run/cstore "
    f"--pidfile /run/cstore.pid -H unix://{SOCKET} --iptables=false --bridge=cstore0 "
    "--containerd-namespace cstore --containerd-plugins-namespace cstore-plugins > /var/log/cstore.log 2>&1 &)"
)
DOCKERFILE = b"FROM busybox\nRUN echo hi > /hi\nLABEL org.example.store=probe\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    return run_bench("containerd_store", lambda bench, host: measure(bench, host, args.runs), labs=[LAB], prefix=LAB)


def measure(bench: Bench, host: docker.DockerClient, runs: int) -> None:
    classic = start_lab(host, LAB, ["busybox:latest"])
    bench.engine("lab", classic)
    container = lab.find(host, LAB)
    assert container is not None
    code, out = container.exec_run(["sh", "-c", DAEMON])
    if code != 0:
        raise SystemExit(f"the second dockerd did not start: {out.decode(errors='replace')}")
    sock = Settings.load().lab_run_dir(LAB) / "cstore.sock"
    store = _wait_for(f"unix://{sock}", container)
    bench.engine("containerd_store", store)
    load_images(store, ["busybox:latest"])
    for name, client in (("classic", classic), ("containerd", store)):
        facts = verify(client)
        for key, value in facts.items():
            bench.value(f"{key}[{name}]", value, unit="" if key != "busybox_size_mb" else "MB")
        bench.time(
            f"probe_busybox_true[{name}]", lambda client=client: run_probe(client, ProbeSpec(["true"])), runs, warmup=1
        )
    f = bench.figures
    bench.ratio(
        "probe_containerd_over_classic",
        f["probe_busybox_true[containerd]"].median,
        f["probe_busybox_true[classic]"].median,
    )
    bench.notes.append(f"storage driver: classic {driver(classic)}, containerd store {driver(store)}")


def verify(client: docker.DockerClient) -> dict[str, float]:
    """1 where each thing the grader does works on ``client``'s engine, 0 where it does not; busybox's size."""

    def ok(action: Any) -> float:
        try:
            return 1.0 if action() else 0.0
        except Exception as e:  # noqa: BLE001 - a verification records what failed
            print(f"[bench] {action.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
            return 0.0

    def probe() -> bool:
        return run_probe(client, ProbeSpec(["sh", "-c", "echo ok"])).stdout.strip() == "ok"

    def host_namespaces() -> bool:
        return "lo" in host_probe(client, ["ip", "-o", "link"]).stdout

    def nsenter() -> bool:
        return host_probe(client, ["nsenter", "-t", "1", "-n", "ip", "-o", "link"], nsenter=True).ok

    def sdk_build() -> bool:
        image, _ = client.images.build(fileobj=_context(), custom_context=True, tag="course/store-probe:1.0", rm=True)
        return image.labels.get("org.example.store") == "probe"

    size = client.api.inspect_image("busybox:latest").get("Size", 0) / 1e6
    return {
        "probe_works": ok(probe),
        "host_probe_works": ok(host_namespaces),
        "nsenter_probe_works": ok(nsenter),
        "sdk_build_works": ok(sdk_build),
        "busybox_size_mb": round(size, 2),
    }


def driver(client: docker.DockerClient) -> str:
    info = client.info()
    status = dict(info.get("DriverStatus") or [])
    return f"{info.get('Driver')} ({status.get('driver-type', 'graphdriver')})"


def _wait_for(url: str, container: Any, timeout: float = 60) -> docker.DockerClient:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client = docker.DockerClient(base_url=url, version="auto", timeout=120)
            client.ping()
            return client
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(1)
    log = container.exec_run(["tail", "-20", "/var/log/cstore.log"]).output.decode(errors="replace")
    raise SystemExit(f"the containerd-store dockerd did not answer in {timeout:g} s:\n{log}")


def _context() -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(DOCKERFILE)
        tar.addfile(info, io.BytesIO(DOCKERFILE))
    buf.seek(0)
    return buf


if __name__ == "__main__":
    sys.exit(main())
