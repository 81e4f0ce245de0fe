"""The boundary's pure parts: when the user-namespaced engine is offered, ids, firewall, cgroup delegation."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.engine import boundary, boundary_cgroups, boundary_firewall, boundary_runner

MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
33 30 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
35 30 0:31 /docker/abc /other rw,relatime - cgroup cgroup rw,pids
"""
PROC_CGROUP = """\
9:name=systemd:/docker-course-labs/abc
4:memory:/docker-course-labs/abc
2:cpu:/docker-course-labs/abc
0::/docker-course-labs/abc
"""


def test_hierarchies_are_read_from_mountinfo_and_bind_mounts_of_subgroups_are_skipped() -> None:
    """Each mounted controller hierarchy is found by its options; a bind of a subgroup is no hierarchy."""
    found = {str(h.mountpoint): (sorted(h.keys), h.v2) for h in boundary_cgroups.host_hierarchies(MOUNTINFO)}
    assert found == {
        "/sys/fs/cgroup/cpu": (["cpu"], False),
        "/sys/fs/cgroup/memory": (["memory"], False),
        "/sys/fs/cgroup/systemd": (["name=systemd", "xattr"], False),
        "/sys/fs/cgroup/unified": ([], True),
    }


def test_a_labs_groups_are_its_own_directories_in_each_hierarchy() -> None:
    """The lab's group in each hierarchy is that hierarchy's mount plus the path /proc/PID/cgroup names."""
    groups = boundary_cgroups.lab_groups(1, boundary_cgroups.host_hierarchies(MOUNTINFO), PROC_CGROUP)
    assert sorted(str(d) for _, d in groups) == [
        "/sys/fs/cgroup/cpu/docker-course-labs/abc",
        "/sys/fs/cgroup/memory/docker-course-labs/abc",
        "/sys/fs/cgroup/systemd/docker-course-labs/abc",
        "/sys/fs/cgroup/unified/docker-course-labs/abc",
    ]


def test_subordinate_ids_are_read_for_the_labs_user(tmp_path: Path) -> None:
    """The labs' root is the first id of docker-course-labs' range; a short range does not count."""
    subuid = tmp_path / "subuid"
    subuid.write_text("alice:100000:65536\ndocker-course-labs:400000:65536\nbob:500000:10\n")
    assert boundary.subid_start(str(subuid)) == 400000
    assert boundary.subid_start(str(subuid), "bob") is None
    assert boundary.subid_start(str(tmp_path / "missing")) is None


def test_the_fallback_is_chosen_when_asked_or_when_docker_host_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """DOCKER_COURSE_BOUNDARY=container and a user-chosen DOCKER_HOST both mean today's container lab."""
    monkeypatch.setenv(boundary.BOUNDARY_ENV, "container")
    assert "container" in boundary.why_not_offered()
    monkeypatch.delenv(boundary.BOUNDARY_ENV)
    monkeypatch.setenv("DOCKER_HOST", "unix:///somewhere/docker.sock")
    assert "DOCKER_HOST" in boundary.why_not_offered()


def test_the_fallback_warning_names_the_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The warning given at start says what root in a container lab can do to the host."""
    assert "core_pattern" in boundary.FALLBACK_RISK and "host's user namespace" in boundary.FALLBACK_RISK


def test_firewall_drops_what_labs_start_and_lets_replies_pass() -> None:
    """The chain accepts only established traffic and drops the rest; input and forwarding both jump to it."""
    rules = boundary_firewall.firewall_rules()
    chain = [r for r in rules if r[:2] == ["-A", boundary_firewall.FIREWALL_CHAIN]]
    assert chain[0][-3:] == ["ESTABLISHED,RELATED", "-j", "ACCEPT"] and chain[-1][-2:] == ["-j", "DROP"]
    hooks = {(r[1], r[2]) for r in rules if r[0] == "-I"}
    assert hooks == {("INPUT", "-i"), ("FORWARD", "-i"), ("FORWARD", "-o")}
    assert all(r[3] == "dcl-+" for r in rules if r[0] == "-I")


def test_bridge_names_fit_the_kernel_and_the_firewall() -> None:
    """Every lab's bridge is under 16 characters, starts with the firewall's prefix and differs per lab."""
    names = {boundary_runner.bridge_name(f"docker-course-test-{i}") for i in range(50)}
    assert len(names) == 50 and all(len(n) <= 15 and n.startswith("dcl-") for n in names)


def test_the_labs_engine_never_touches_the_host_engine() -> None:
    """Its own socket, data, exec root, containerd namespace, no iptables edits, no default bridge."""
    cmd = boundary.engine_command()
    text = " ".join(cmd)
    assert "--userns-remap=docker-course-labs" in cmd and "/var/run/docker.sock" not in text
    for flag in ("--data-root", "--exec-root", "--pidfile", "--containerd-namespace", "--cgroup-parent"):
        assert flag in cmd
    assert "--iptables=false" in cmd and cmd[cmd.index("--bridge") + 1] == "none"


def test_own_folders_never_follows_links(tmp_path: Path) -> None:
    """Ownership is changed on links themselves: a link planted to a host file leaves that file alone."""
    import os

    outside = tmp_path / "outside"
    outside.write_text("host")
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "sub" / "nb.ipynb").write_text("{}")
    (ws / "link").symlink_to(outside)
    me = os.getuid()
    b = boundary.Boundary("userns", "unix:///x", me, os.getgid())
    boundary_runner.own_folders(b, [ws])  # as the same user: proves the walk runs without following
    assert outside.stat().st_uid == me and (ws / "link").is_symlink()


def test_mount_points_are_found_from_mountinfo_not_device_numbers(tmp_path: Path) -> None:
    """A bind of the same filesystem has the same st_dev (ismount misses it); mountinfo does not."""
    from grader.engine import boundary_mounts

    assert boundary_mounts.mounted(Path("/")) and not boundary_mounts.mounted(tmp_path)
