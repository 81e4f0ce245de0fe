"""The curriculum's object names: what a host-mode reset may remove besides labelled objects.

Kept here (the engine layer) so that resetting needs nothing from the chapters.
"""

CONTAINERS = frozenset(
    {
        # chapter 01
        "hello",
        "motd",
        "config",
        "app-user",
        "files",
        "volume-port",
        "echo",
        "onbuild",
        # chapter 02
        "web-all",
        "web-random",
        "web-fixed",
        "web-ip-random",
        "web-ip-fixed",
        "web-second",
        # chapter 03
        "probe-a",
        "api",
        "client",
        "host-web",
        "isolated",
        "sidecar",
        # chapter 04
        "ns-demo",
        "named",
        "pid-host",
        "ipc-a",
        "ipc-b",
        "nsenter-demo",
        "userns-demo",
        # chapter 05
        "note-1",
        "note-2",
        "db-1",
        "db-2",
        "reader",
        "producer",
        "consumer",
        "anon-vol",
        # chapter 06
        "app-fat",
        "app-slim",
        "hello-static",
    }
)
NETWORKS = frozenset({"course-net"})
VOLUMES = frozenset({"course-db-data", "shared-data"})
IMAGE_REPOSITORY_PREFIX = "course/"
