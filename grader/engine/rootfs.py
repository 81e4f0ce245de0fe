"""Root filesystems for the course's base images, built offline from Debian packages.

Only host-side install steps here talk to a package mirror (debootstrap, apt-get
download, pip download); nothing inside a container downloads anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from grader.engine.progress import Reporter
from grader.errors import ImageProvisionError

SUITE = "bookworm"  # the base look-alikes' Debian (debian:bookworm-slim, python:3.11)
PATH_LOCAL_FIRST = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Paths removed from Debian root filesystems to stay near the official image sizes.
TRIM_PATHS = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "usr/share/lintian",
    "usr/share/linda",
    "usr/share/i18n",
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/debconf",
    "var/log",
    "usr/share/zoneinfo/right",
    "usr/share/zoneinfo/posix",
    "var/cache/man",
)


def run(cmd: list[str], what: str, **kwargs: object) -> str:
    """Run a host command; on failure raise ImageProvisionError with its last lines."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    except OSError as e:
        raise ImageProvisionError(f"{what}: cannot run {cmd[0]} ({e.strerror}).") from e
    if done.returncode != 0:
        tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        raise ImageProvisionError(f"{what} failed (`{' '.join(cmd[:4])} ...`): {tail}")
    return str(done.stdout)


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this host (or DOCKER_COURSE_DEBIAN_MIRROR)."""
    if os.environ.get("DOCKER_COURSE_DEBIAN_MIRROR"):
        return os.environ["DOCKER_COURSE_DEBIAN_MIRROR"]
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        try:
            text = path.read_text()
        except OSError:
            continue
        for url in re.findall(r"(?:^deb\s+(?:\[[^\]]*\]\s+)?|^URIs:\s*)(\S+)", text, re.M):
            if url.rstrip("/").endswith("/debian"):
                return url
    return "http://deb.debian.org/debian"


def debootstrap(target: Path, include: list[str], debs: Path, report: Reporter, suite: str = SUITE) -> None:
    """A minbase root filesystem of Debian ``suite`` with ``include`` (and their Depends, no Recommends).

    Made by mmdebstrap where the host has it (apt's downloads and one dpkg run: about half
    of debootstrap's time for bookworm), else by debootstrap; both give the same packages
    and files (bookworm's merged /usr without the usrmerge package, no apt state of
    auto-installed packages). ``debs`` keeps the downloaded packages for the next build of that release.
    """
    if target.exists():
        shutil.rmtree(target)
    debs.mkdir(parents=True, exist_ok=True)
    report(f"debootstrap {suite} minbase" + (f" + {', '.join(include)}" if include else ""))
    if shutil.which("mmdebstrap"):
        _mmdebstrap(target, include, debs, suite)
        return
    cmd = ["debootstrap", "--variant=minbase", f"--cache-dir={debs}"]
    if include:
        cmd.append("--include=" + ",".join(include))
    run([*cmd, suite, str(target), debian_mirror()], "debootstrap")


def _mmdebstrap(target: Path, include: list[str], debs: Path, suite: str) -> None:
    """mmdebstrap's minbase, its package cache synced with ``debs`` (the tool's documented caching hooks)."""
    cmd = [
        "mmdebstrap",
        "--mode=root",
        "--variant=minbase",
        "--format=directory",
        "--skip=download/empty",
        "--skip=essential/unlink",
        '--setup-hook=mkdir -p "$1"/var/cache/apt/archives/',
        f"--setup-hook=sync-in {debs} /var/cache/apt/archives/",
        f"--customize-hook=sync-out /var/cache/apt/archives {debs}",
    ]
    if suite == "bookworm":  # its resolver would pick usrmerge (and perl); debootstrap takes usr-is-merged
        cmd.append("--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr")
    if include:
        cmd.append("--include=" + ",".join(include))
    run([*cmd, suite, str(target), debian_mirror()], "mmdebstrap")
    (target / "var/lib/apt/extended_states").unlink(missing_ok=True)  # as debootstrap leaves it
    (target / "run/mount").mkdir(parents=True, exist_ok=True)


def trim(root: Path) -> None:
    """Remove docs, man pages, locales, apt lists and caches (kept: licences, C.UTF-8)."""
    for rel in TRIM_PATHS:
        path = root / rel
        if path.is_dir():
            for child in path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
    for pyc in root.glob("usr/lib/python3*/**/__pycache__"):
        shutil.rmtree(pyc, ignore_errors=True)


def chroot(root: Path, script: str, what: str) -> None:
    """Run a shell script inside a root filesystem (host-side, no network needed)."""
    env = {"PATH": PATH_LOCAL_FIRST, "HOME": "/root", "LANG": "C.UTF-8"}
    run(["chroot", str(root), "/bin/sh", "-ec", script], what, env=env)


def python_layout(root: Path, report: Reporter) -> None:
    """Give a Debian Python the official images' layout: /usr/local first, pip allowed.

    A venv at /usr/local (system site-packages visible) makes ``pip install
    --prefix=/install`` then ``COPY --from=builder /install /usr/local`` work,
    which Debian's own ``local/.../dist-packages`` scheme breaks.
    """
    report("python layout: a venv at /usr/local, pip allowed")
    for marker in root.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    chroot(root, "python3 -m venv --without-pip --system-site-packages /usr/local", "python venv")
    pip = root / "usr/local/bin/pip"
    pip.write_text('#!/bin/sh\nexec /usr/local/bin/python -m pip "$@"\n')
    pip.chmod(0o755)
    for alias in ("pip3", "pip3.11"):
        link = root / "usr/local/bin" / alias
        if not link.exists():
            link.symlink_to("pip")
    (root / "etc/pip.conf").write_text("[global]\ndisable-pip-version-check = true\nroot-user-action = ignore\n")


def busybox_root(target: Path, debs: Path, support: Path, report: Reporter) -> None:
    """A busybox root filesystem like the official image: /bin applets, passwd, adduser."""
    if target.exists():
        shutil.rmtree(target)
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob("busybox-static_*.deb"))
    if not found:
        report("apt-get download busybox-static")
        run(["apt-get", "download", "busybox-static"], "apt-get download busybox-static", cwd=debs)
        found = sorted(debs.glob("busybox-static_*.deb"))
    unpacked = target.with_name(target.name + ".deb")
    shutil.rmtree(unpacked, ignore_errors=True)
    run(["dpkg-deb", "-x", str(found[-1]), str(unpacked)], "dpkg-deb -x busybox-static")
    for d in ("bin", "etc", "root", "home", "tmp", "var/www", "var/spool/mail", "usr/bin", "usr/sbin", "sbin"):
        (target / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(unpacked / "bin/busybox", target / "bin/busybox")
    shutil.rmtree(unpacked)
    applets = run([str(target / "bin/busybox"), "--list"], "busybox --list").split()
    for applet in applets:
        if applet != "busybox" and not (target / "bin" / applet).exists():
            (target / "bin" / applet).symlink_to("busybox")
    for name in ("adduser", "addgroup", "wget"):  # scripts that add or repair applets
        (target / "bin" / name).unlink(missing_ok=True)
        shutil.copy2(support / name, target / "bin" / name)
        (target / "bin" / name).chmod(0o755)
    for name in ("passwd", "group"):
        shutil.copy2(support / name, target / "etc" / name)
    users = [line.split(":")[0] for line in (support / "passwd").read_text().splitlines() if line]
    (target / "etc/shadow").write_text("".join(f"{u}:*:19000:0:99999:7:::\n" for u in users))
    (target / "etc/shadow").chmod(0o640)
    (target / "tmp").chmod(0o1777)
    (target / "root").chmod(0o700)
