"""Reference answers of the container exercises (chapters 02 to 05): runs, networks, volumes, answers."""

from __future__ import annotations

from tests.mutation.answers import Answer, Spec, Value, web

CH02 = [
    Spec("ch02-ex1", "02-ports", Answer(commands=(web("web-all", "-P"),))),
    Spec("ch02-ex2", "02-ports", Answer(commands=(web("web-random", "-p 80"),))),
    Spec("ch02-ex3", "02-ports", Answer(commands=(web("web-fixed", "-p 8000:80"),))),
    Spec("ch02-ex4", "02-ports", Answer(commands=(web("web-ip-random", "-p 127.0.0.1::80"),))),
    Spec("ch02-ex5", "02-ports", Answer(commands=(web("web-ip-fixed", "-p 127.0.0.1:8001:80"),))),
    Spec(
        "ch02-ex6",
        "02-ports",
        Answer(
            commands=(
                "docker run -d --name web-second -p 8000:80 course/web:1.0 > conflict.txt 2>&1",
                "docker rm web-second",
                web("web-second", "-p 8002:80"),
            ),
            answers={"conflict_error": Value("str", "cat conflict.txt")},
            # as in the notebook, a failing line does not stop the next: only the verdict tells
            may_fail=("conflict.txt", "docker rm web-second"),
        ),
        before=(web("web-fixed", "-p 8000:80"),),
        extra=(
            (
                "typed-value:conflict_error",
                "fail",
                Answer(
                    commands=(web("web-second", "-p 8002:80"),),
                    answers={"conflict_error": Value("str", typed="port is already allocated")},
                ),
            ),
        ),
    ),
]

VETH = (
    "peer=$(docker exec probe-a cat /sys/class/net/eth0/iflink); "
    "ip -o link | awk -F': ' -v p=\"$peer\" '$1 == p {split($2, a, \"@\"); print a[1]}'"
)
GATEWAY = (
    "gw=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge); "
    '[ -n "$gw" ] || gw=$(ip -4 -o addr show docker0 | awk \'{split($4, a, "/"); print a[1]}\'); echo $gw'
)
API = ("docker network create course-net", "docker run -d --name api --network course-net course/web:1.0")
CH03 = [
    Spec(
        "ch03-ex1",
        "03-networks",
        Answer(
            answers={
                "bridge_subnet": Value(
                    "str", "docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' bridge"
                ),
                "bridge_gateway": Value("str", GATEWAY),
            }
        ),
    ),
    Spec(
        "ch03-ex2",
        "03-networks",
        Answer(
            commands=("docker run -d --name probe-a busybox sleep 3600",), answers={"veth_name": Value("str", VETH)}
        ),
        extra=(
            (
                "stale-value:veth_name",
                "fail",
                Answer(
                    commands=(
                        "docker run -d --name probe-a busybox sleep 3600",
                        f"({VETH}) > stale.txt",
                        "docker rm -f probe-a",
                        "docker run -d --name probe-a busybox sleep 3600",
                    ),
                    answers={"veth_name": Value("str", "cat stale.txt")},
                ),
            ),
        ),
    ),
    Spec(
        "ch03-ex3",
        "03-networks",
        Answer(
            commands=(
                *API,
                "for i in $(seq 20); do docker exec api wget -q -O /dev/null http://127.0.0.1/ && break; "
                "sleep 0.5; done",
                "docker run --name client --network course-net busybox wget -qO- http://api/",
            )
        ),
    ),
    Spec(
        "ch03-ex4",
        "03-networks",
        Answer(
            commands=(
                "docker run -d --name host-web --network host busybox sh -c "
                "'mkdir -p /www && echo \"hello from host-web\" > /www/index.html && exec httpd -f -p 8081 -h /www'",
                "sleep 1",
            )
        ),
    ),
    Spec(
        "ch03-ex5", "03-networks", Answer(commands=("docker run -d --name isolated --network none busybox sleep 3600",))
    ),
    Spec(
        "ch03-ex6",
        "03-networks",
        Answer(commands=("docker run -d --name sidecar --network container:api busybox sleep 3600",)),
        before=API,
    ),
]

NS_UNSHARED = (
    "pid=$(docker inspect -f '{{.State.Pid}}' ns-demo); for ns in cgroup ipc mnt net pid time user uts; do "
    '[ -e /proc/$pid/ns/$ns ] && [ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/1/ns/$ns)" ] && echo $ns; done'
)
NS_USER = (
    "pid=$(docker inspect -f '{{.State.Pid}}' userns-demo); "
    '[ "$(readlink /proc/$pid/ns/user)" = "$(readlink /proc/1/ns/user)" ] && echo true || echo false'
)
CH04 = [
    Spec(
        "ch04-ex1",
        "04-namespaces",
        Answer(
            commands=("docker run -d --name ns-demo --network host busybox sleep 3600",),
            answers={"unshared_namespaces": Value("set", NS_UNSHARED)},
        ),
    ),
    Spec(
        "ch04-ex2",
        "04-namespaces",
        Answer(commands=("docker run -d --name named --hostname course-box busybox sleep 3600",)),
    ),
    Spec(
        "ch04-ex3", "04-namespaces", Answer(commands=("docker run -d --name pid-host --pid host busybox sleep 3600",))
    ),
    Spec(
        "ch04-ex4",
        "04-namespaces",
        Answer(
            commands=(
                "docker run -d --name ipc-a --ipc shareable debian:bookworm-slim sleep 3600",
                "docker run -d --name ipc-b --ipc container:ipc-a debian:bookworm-slim sleep 3600",
                "docker exec ipc-a ipcmk -M 1024",
            )
        ),
    ),
    Spec(
        "ch04-ex5",
        "04-namespaces",
        Answer(
            commands=(
                "docker run --name nsenter-demo --pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE busybox "
                "nsenter -n -t 1 ip addr",
            )
        ),
    ),
    Spec(
        "ch04-ex6",
        "04-namespaces",
        Answer(
            commands=("docker run -d --name userns-demo busybox sleep 3600",),
            answers={"shares_host_user_namespace": Value("bool", NS_USER)},
        ),
    ),
]

CH05 = [
    Spec(
        "ch05-ex1",
        "05-volumes",
        Answer(
            commands=(
                "docker run --name note-1 busybox sh -c 'echo \"remember the milk\" > /tmp/note.txt'",
                "docker rm note-1",
                "docker run --name note-2 busybox cat /tmp/note.txt",
            ),
            answers={"note_survived": Value("bool", "docker inspect -f '{{eq .State.ExitCode 0}}' note-2")},
            may_fail=("note-2",),
        ),
    ),
    Spec(
        "ch05-ex2",
        "05-volumes",
        Answer(
            commands=(
                "docker volume create course-db-data",
                "docker run -d --name db-1 -v course-db-data:/var/lib/kv course/kv:1.0",
                "for i in $(seq 20); do docker exec db-1 kv put greeting hello && break; sleep 0.5; done",
                "docker rm -f db-1",
                "docker run -d --name db-2 -v course-db-data:/var/lib/kv course/kv:1.0",
                "sleep 1",
            )
        ),
    ),
    Spec(
        "ch05-ex3",
        "05-volumes",
        Answer(commands=('docker run -d --name reader -v "$PWD/config:/config:ro" busybox sleep 3600',)),
    ),
    Spec(
        "ch05-ex4",
        "05-volumes",
        Answer(
            commands=(
                "docker volume create shared-data",
                "docker run --name producer -v shared-data:/shared busybox sh -c "
                "'echo \"hello from producer\" > /shared/message.txt'",
                "docker run --name consumer -v shared-data:/shared:ro busybox cat /shared/message.txt",
            )
        ),
    ),
    Spec(
        "ch05-ex5",
        "05-volumes",
        Answer(
            commands=("docker run -d --name anon-vol course/volume-port:1.0",),
            answers={
                "anon_volume_name": Value(
                    "str",
                    "docker inspect -f "
                    "'{{range .Mounts}}{{if eq .Destination \"/data\"}}{{.Name}}{{end}}{{end}}' anon-vol",
                )
            },
        ),
    ),
]
