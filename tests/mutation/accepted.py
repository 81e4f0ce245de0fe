"""Surviving mutants (and rejected equivalent rewrites) accepted, each with the reason.

Keyed by (exercise, the start of the mutant's name). Anything that survives and is not
listed here fails the mutation tests: fix the check, or list it with why it is acceptable.
"""

from __future__ import annotations

NO_BASE_NAMED = (
    "the exercise names no base image (CURRICULUM): the image does what it asks on another base, "
    "and a Docker expert would accept it"
)

ACCEPTED: dict[tuple[str, str], str] = {
    **{(f"ch01-ex{n}", "other-base: ex"): NO_BASE_NAMED for n in (3, 5, 6, 7, 8)},
    ("ch02-ex6", "other-container-port"): (
        "the failing run's container port is in neither its error (Docker names the host port taken) "
        "nor the engine (its Created container is removed, as the exercise asks): undecidable from the engine"
    ),
    ("ch01-ex1", "inherited-label: FROM an image of the learner's that carries maintainer, and no step"): (
        "a Dockerfile of a lone FROM builds the very image it names (BuildKit gives it the parent's id): the "
        "engine holds the reference's image under a second tag, the same state as tagging the right answer "
        "twice, so the engine cannot tell; with a step of its own (the next mutant) it is killed"
    ),
    ("ch01-ex8", "form: exec-form:COPY"): (
        "PENDING: issue 13's ch01-ex8 miss (the trigger judged by its text, so the exec form "
        '`ONBUILD COPY [".", "/src"]` is refused); judged by what it does on branch journal, not on main at this run'
    ),
    **{
        (ex, f"step-left-out: docker volume create {name}"): (
            f"`docker run -v {name}:...` creates the named volume itself: the same engine state, an equivalent answer"
        )
        for ex, name in (("ch05-ex2", "course-db-data"), ("ch05-ex4", "shared-data"))
    },
    ("ch04-ex4", "step-left-out: docker exec ipc-a ipcmk"): (
        "the exercise asks for one IPC namespace shared by two containers (read from their inodes); the "
        "notebook's ipcmk only shows a queue made in one is seen in the other"
    ),
    ("ch04-ex1", "drop-flag: --network host"): (
        "CURRICULUM's contract: the answer is checked against the real inodes of whatever ns-demo runs, so a "
        "default ns-demo answered truthfully is right too; --network host is the exercise's step beyond, not a rule"
    ),
    ("ch05-ex2", "other-name: db-1 -> db-12"): (
        "db-1 is removed, as the exercise asks, so its name is gone from the engine; only the course's "
        "event journal could tell (ch05-ex2 does not read it yet)"
    ),
    ("ch05-ex4", "read-write: -v shared-data:/shared:ro"): (
        "the exercise asks the consumer to mount the volume and print the file, not to mount it read-only "
        "(the notebook's :ro is good practice, not the lesson)"
    ),
    **{
        (ex, f"in-comment: {ex[-3:]}/Dockerfile: # WORKDIR /app"): (
            "the exercise asks for an image that runs the program, not for /app: without WORKDIR the "
            "files land in / and `python main.py` runs there"
        )
        for ex in ("ch06-ex1", "ch06-ex2")
    },
}
