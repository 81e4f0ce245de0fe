"""The reference answer of every exercise, as a learner's lab would run it: files, then shell commands.

Each is the source notebook's solution (``docker-course solution ID``) with its Python
turned into shell: a unit test keeps the Dockerfiles and ``docker`` commands here equal
to the notebook's. Answer variables are read the way the notebook computes them, from
the engine, by a shell command whose output is parsed by kind (``str``, ``bool``, ``set``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

WEB = "course/web:1.0"


@dataclass(frozen=True)
class Value:
    """An answer variable: the shell command that computes it (its output parsed as ``kind``), or a typed value."""

    kind: str  # str | bool | set
    command: str = ""
    typed: Any = None

    def parse(self, output: str) -> Any:
        """The variable's value from the command's output."""
        text = output.strip()
        if self.kind == "bool":
            return text.lower() in ("true", "1", "yes")
        if self.kind == "set":
            return set(text.replace(",", " ").split())
        return text


@dataclass(frozen=True)
class Answer:
    """A learner's answer: files written in the chapter's folder, commands run there, answer variables."""

    files: dict[str, str] = field(default_factory=dict)
    commands: tuple[str, ...] = ()
    answers: dict[str, Value] = field(default_factory=dict)
    may_fail: tuple[str, ...] = ()  # commands whose failure is the lesson (a port conflict)

    def with_command(self, index: int, command: str) -> Answer:
        commands = list(self.commands)
        commands[index] = command
        return replace(self, commands=tuple(commands))

    def with_file(self, path: str, text: str) -> Answer:
        return replace(self, files={**self.files, path: text})

    def with_answer(self, name: str, value: Value) -> Answer:
        return replace(self, answers={**self.answers, name: value})


@dataclass(frozen=True)
class Spec:
    """An exercise under mutation: its chapter, its reference, what earlier exercises must leave first.

    ``expect`` overrides an operator's expectation for this exercise (an exec-form ENTRYPOINT
    is the lesson of ch01-ex7: its shell form must fail there); ``extra`` adds mutants only
    this exercise has (a stale answer typed from an earlier run).
    """

    exercise: str
    folder: str
    reference: Answer
    before: tuple[str, ...] = ()
    before_files: dict[str, str] = field(default_factory=dict)
    expect: dict[str, str] = field(default_factory=dict)
    extra: tuple[tuple[str, str, Answer], ...] = ()  # (name, fail|pass, answer)


def build(tag: str, context: str, *flags: str) -> str:
    return " ".join(["docker build -q", *flags, "-t", tag, context])


def dockerfile_exercise(exercise: str, path: str, text: str, *commands: str, **kw: Any) -> Spec:
    return Spec(exercise, "01-dockerfile", Answer({path: text}, tuple(commands)), **kw)


def web(name: str, flags: str) -> str:
    return f"docker run -d --name {name} {flags} {WEB}"


CH01 = [
    dockerfile_exercise(
        "ch01-ex1",
        "ex1/Dockerfile",
        'FROM busybox\nLABEL maintainer="learner@example.com"\n',
        build("course/hello:1.0", "ex1"),
        extra=tuple(
            (
                f"inherited-label: FROM an image of the learner's that carries maintainer{what}",
                "fail",
                Answer(
                    {
                        "ex1/base/Dockerfile": 'FROM busybox\nLABEL maintainer="learner@example.com"\n',
                        "ex1/Dockerfile": f"FROM course/hello-base:1.0\n{step}",
                    },
                    (build("course/hello-base:1.0", "ex1/base"), build("course/hello:1.0", "ex1")),
                ),
            )
            for what, step in ((", and no step of its own", ""), (", and a step of its own", 'CMD ["sh"]\n'))
        ),
    ),
    dockerfile_exercise(
        "ch01-ex2",
        "ex2/Dockerfile",
        "FROM busybox\nRUN echo 'Welcome to the course' > /etc/motd\n",
        build("course/motd:1.0", "ex2"),
    ),
    dockerfile_exercise(
        "ch01-ex3",
        "ex3/Dockerfile",
        "FROM busybox\nARG APP_VERSION=1.0\nLABEL version=$APP_VERSION\nENV APP_ENV=production\n",
        build("course/config:2.0", "ex3", "--build-arg APP_VERSION=2.0"),
    ),
    dockerfile_exercise(
        "ch01-ex4",
        "ex4/Dockerfile",
        "FROM busybox\nRUN adduser -D -u 1000 app && mkdir /app && chown app:app /app\nUSER app\nWORKDIR /app\n",
        build("course/app-user:1.0", "ex4"),
    ),
    dockerfile_exercise(
        "ch01-ex5",
        "ex5/Dockerfile",
        "FROM busybox\nCOPY assets/hello.txt /data/hello.txt\nADD assets/site.tar /srv/site/\n",
        build("course/files:1.0", ".", "-f ex5/Dockerfile"),
    ),
    dockerfile_exercise(
        "ch01-ex6",
        "ex6/Dockerfile",
        "FROM busybox\nVOLUME /data\nEXPOSE 8080\n",
        build("course/volume-port:1.0", "ex6"),
    ),
    dockerfile_exercise(
        "ch01-ex7",
        "ex7/Dockerfile",
        'FROM busybox\nENTRYPOINT ["echo"]\nCMD ["hello"]\n',
        build("course/echo:1.0", "ex7"),
        # the lesson is the exec form of ENTRYPOINT: its shell form swallows the arguments
        # the lesson is the exec form: a shell-form ENTRYPOINT swallows CMD, a shell-form CMD is
        # handed to echo as `/bin/sh -c hello`
        expect={"shell-form:ENTRYPOINT": "fail", "shell-form:CMD": "fail"},
    ),
    Spec(
        "ch01-ex8",
        "01-dockerfile",
        Answer(
            {
                "ex8/base/Dockerfile": "FROM busybox\nONBUILD COPY . /src\n",
                "ex8/child/Dockerfile": "FROM course/onbuild-base:1.0\n",
            },
            (build("course/onbuild-base:1.0", "ex8/base"), build("course/onbuild-child:1.0", "ex8/child")),
        ),
        before=("mkdir -p ex8/child && echo hello > ex8/child/app.txt",),
    ),
]

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
            commands=("docker run -d --name ns-demo busybox sleep 3600",),
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
                "docker run -d --name ipc-a --ipc shareable busybox sleep 3600",
                "docker run -d --name ipc-b --ipc container:ipc-a busybox sleep 3600",
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

CH06_SLIM = (
    "FROM python:3.11 AS builder\nWORKDIR /src\nCOPY app/ext/ ./ext/\n"
    "RUN pip wheel --no-deps --no-build-isolation --no-index ./ext -w /wheels\n\n"
    "FROM python:3.11-slim\nWORKDIR /app\nCOPY --from=builder /wheels /wheels\n"
    "RUN pip install --no-index --no-cache-dir --find-links /wheels fastfib\nCOPY app/main.py ./\n"
    'CMD ["python", "main.py"]\n'
)
CH06_FAT = (
    "FROM python:3.11\nWORKDIR /app\nCOPY app/ ./\n"
    "RUN pip install --no-index --no-build-isolation -r requirements.txt\n"
    'CMD ["python", "main.py"]\n'
)
CH06 = [
    Spec(
        "ch06-ex1",
        "06-multistage",
        Answer({"ex1/Dockerfile": CH06_FAT}, (build("course/app:fat", ".", "-f ex1/Dockerfile"),)),
    ),
    Spec(
        "ch06-ex2",
        "06-multistage",
        Answer({"ex2/Dockerfile": CH06_SLIM}, (build("course/app:slim", ".", "-f ex2/Dockerfile"),)),
        # its size is compared with exercise 1's image
        before=(build("course/app:fat", ".", "-f ex1/Dockerfile"),),
        before_files={"ex1/Dockerfile": CH06_FAT},
    ),
    Spec(
        "ch06-ex3",
        "06-multistage",
        Answer(commands=(build("course/app:builder", ".", "--target builder -f ex2/Dockerfile"),)),
        before_files={"ex2/Dockerfile": CH06_SLIM},
    ),
    Spec(
        "ch06-ex4",
        "06-multistage",
        Answer(
            {
                "ex4/Dockerfile": "FROM python:3.11 AS builder\nCOPY hello/hello.c /src/hello.c\n"
                "RUN gcc -static -Os -o /hello /src/hello.c\n\nFROM scratch\nCOPY --from=builder /hello /hello\n"
                'CMD ["/hello"]\n'
            },
            (build("course/hello-static:1.0", ".", "-f ex4/Dockerfile"),),
        ),
        expect={"shell-form:CMD": "fail"},  # scratch has no /bin/sh to run a shell-form CMD
    ),
]

SPECS: dict[str, Spec] = {s.exercise: s for s in (*CH01, *CH02, *CH03, *CH04, *CH05, *CH06)}

FAST = ("ch01-ex3", "ch02-ex3", "ch05-ex3")
"""The subset the test suite runs (tests/engine/test_mutation.py): a build, a published port, a bind mount."""
