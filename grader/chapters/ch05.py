"""Chapter 05: volumes and bind mounts (CURRICULUM "Chapter 05")."""

from __future__ import annotations

from grader.chapters.exercise import Exercise
from grader.checks.container_output import ContainerOutput
from grader.checks.container_replaced import ContainerReplaced
from grader.checks.volume_anon_answer import AnonymousVolumeAnswer
from grader.checks.volume_exists import VolumeExists
from grader.checks.volume_file import VolumeFileCheck
from grader.checks.volume_mount import VolumeMount
from grader.checks.volume_mounted_file import MountedFile
from grader.checks.volume_note_answer import SurvivedAnswer
from grader.checks.volume_read_only import MountReadOnly
from grader.checks.volume_served_key import ServedKey

KV = "course/kv:1.0"
DB_FLAGS = "-v course-db-data:/var/lib/kv course/kv:1.0"
READER_MISSING = "reader must be running, with the folder mounted at /config."

EXERCISES: list[Exercise] = [
    Exercise(
        "ch05-ex1",
        "data loss",
        [
            ContainerReplaced(
                points=1,
                removed="note-1",
                successor="note-2",
                proven=True,
                exit_code=0,
                title="note-1 was removed (and note-2 exists)",
                hints={
                    "still_exists": "Remove note-1 once it has written the note: docker rm note-1 (its writable "
                    "layer goes with it); then run note-2."
                },
            ),
            ContainerOutput(
                points=2,
                container="note-2",
                image="busybox",
                command_contains="/tmp/note.txt",
                failed=True,
                output_contains="No such file",
                title="note-2 ran cat /tmp/note.txt and found no such file",
                missing_hint="Run note-2 without --rm so that its result stays: "
                "docker run --name note-2 busybox cat /tmp/note.txt",
            ),
            SurvivedAnswer(
                points=1,
                answer="note_survived",
                container="note-2",
                expected=False,
                title="note_survived is False, computed from note-2's result",
                missing_hint="note-2 must exist (left after it exits) for the answer to be checked.",
            ),
        ],
        answers=("note_survived",),
        version=2,
        changes={
            2: (
                "note-1 must be proven, from the course's event journal, to have run, exited 0 and been "
                "removed before note-2 was created: a note-1 that never existed passed before"
            )
        },
    ),
    Exercise(
        "ch05-ex2",
        "named volume",
        [
            VolumeExists(points=1, volume="course-db-data", title="volume course-db-data exists"),
            ContainerReplaced(
                points=1,
                removed="db-1",
                successor="db-2",
                title="db-1 was removed (and db-2 exists)",
                hint="Remove db-1 after storing the key: docker rm -f db-1 (the volume stays); then run db-2.",
            ),
            VolumeMount(
                points=1,
                container="db-2",
                destination="/var/lib/kv",
                volume="course-db-data",
                image=KV,
                running=True,
                title="db-2 (course/kv:1.0, running) mounts volume course-db-data at /var/lib/kv",
                missing_hint=f"Run db-2 on the same volume: docker run -d --name db-2 {DB_FLAGS}",
            ),
            ServedKey(
                points=1,
                container="db-2",
                key="greeting",
                value="hello",
                port=8080,
                hints={
                    "no_key": "Store it in the first container while it mounts the same volume "
                    "(docker exec NAME kv put KEY VALUE).",
                    "no_answer": f"run {KV} with its own command.",
                },
                title="GET /greeting on db-2 returns hello",
                missing_hint=f"db-2 must be running: docker run -d --name db-2 {DB_FLAGS}",
            ),
            VolumeFileCheck(
                points=1,
                volume="course-db-data",
                path="greeting",
                written_before="db-2",
                writer="db-1 (docker exec db-1 kv put greeting hello, with db-1 mounting the volume at /var/lib/kv)",
                title="the key was stored before db-2 was created",
                missing_hint="Create the volume (docker volume create course-db-data) and db-2 on it.",
            ),
        ],
    ),
    Exercise(
        "ch05-ex3",
        "read-only bind mount",
        [
            VolumeMount(
                points=1,
                container="reader",
                destination="/config",
                type="bind",
                source_suffix="05-volumes/config",
                running=True,
                title="reader (running) bind-mounts the chapter's config/ folder at /config",
                missing_hint='From the chapter folder: docker run -d --name reader -v "$PWD/config:/config:ro" '
                "busybox sleep 3600",
            ),
            MountReadOnly(
                points=1,
                container="reader",
                destination="/config",
                title="/config is read-only: a write inside fails",
                hints={
                    "writable": 'Add `:ro` (-v "$PWD/config:/config:ro") or `readonly` with --mount, and recreate '
                    "the container.",
                },
                missing_hint=READER_MISSING,
            ),
            MountedFile(
                points=1,
                container="reader",
                destination="/config",
                name="app.conf",
                fallback="05-volumes/config/app.conf",
                title="/config/app.conf inside reader shows the host file",
                missing_hint=READER_MISSING,
            ),
        ],
    ),
    Exercise(
        "ch05-ex4",
        "sharing",
        [
            VolumeMount(
                points=1,
                container="producer",
                destination="/shared",
                volume="shared-data",
                title="producer mounts volume shared-data at /shared",
                missing_hint="Keep producer (no --rm): docker run --name producer -v shared-data:/shared busybox "
                "sh -c 'echo hello from producer > /shared/message.txt'",
            ),
            VolumeMount(
                points=1,
                container="consumer",
                volume="shared-data",
                title="consumer mounts the same volume shared-data",
                missing_hint="Keep consumer (no --rm): docker run --name consumer -v shared-data:/shared busybox "
                "cat /shared/message.txt",
            ),
            VolumeFileCheck(
                points=1,
                volume="shared-data",
                path="message.txt",
                contains="hello from producer",
                writer="producer (echo hello from producer > /shared/message.txt, with shared-data at /shared)",
                title="message.txt in shared-data holds 'hello from producer'",
                missing_hint="Create the volume: docker volume create shared-data",
            ),
            ContainerOutput(
                points=1,
                container="consumer",
                output_contains="hello from producer",
                title="consumer printed the message",
                missing_hint="Keep consumer (no --rm) so its output can be checked.",
            ),
        ],
    ),
    Exercise(
        "ch05-ex5",
        "anonymous volume",
        [
            VolumeMount(
                points=1,
                container="anon-vol",
                destination="/data",
                anonymous=True,
                image="course/volume-port:1.0",
                title="anon-vol (course/volume-port:1.0) got an anonymous volume at /data",
                missing_hint="Run it: docker run -d --name anon-vol course/volume-port:1.0",
            ),
            AnonymousVolumeAnswer(
                points=2,
                answer="anon_volume_name",
                container="anon-vol",
                destination="/data",
                title="anon_volume_name is the name of that volume",
                missing_hint="anon-vol must exist for the answer to be checked.",
            ),
        ],
        answers=("anon_volume_name",),
    ),
]
