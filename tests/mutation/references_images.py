"""Reference answers of the image exercises (chapters 01 and 06): Dockerfiles and builds."""

from __future__ import annotations

from tests.mutation.answers import Answer, Spec, build, dockerfile_exercise

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
