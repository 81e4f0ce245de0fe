"""Check type: a key-value server in a container serves a key's value over HTTP (GET /KEY on its port)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ServedKey(Check):
    """GET ``/key`` on ``port`` of the running ``container`` (from its own network namespace) returns ``value``.

    ``hints``: the fix after ``no_key`` (HTTP 404) and ``no_answer`` (nothing listens).
    """

    container: str = ""
    key: str = ""
    value: str = ""
    port: int = 0
    kind: ClassVar[str] = "kv key served"
    REQUIRED = ("container", "key", "port")
    OBJECTS = {"container": "container"}
    HINTS = {
        "no_key": "Store the key while that container mounts the same volume.",
        "no_answer": "Run its image with the image's own command.",
    }

    def describe(self) -> str:
        return self.title or f"GET /{self.key} on {self.container} returns {self.value!r}"

    def evaluate(self, ctx: Context) -> Outcome:
        expected = f"HTTP 200 with {self.value!r}"
        answer = ctx.facts.http("127.0.0.1", self.port, f"/{self.key}", inside=self.container)
        if answer.status == 404:
            return Outcome(
                False,
                expected,
                f"HTTP 404: {self.container} has no key {self.key}",
                f"{self.container} serves an empty store: the key is not in the volume it mounts. "
                + self.hint_for("no_key"),
            )
        if answer.status is None:
            return Outcome(
                False,
                expected,
                answer.error or "no answer",
                f"{self.container} does not answer on port {self.port}: " + self.hint_for("no_answer"),
            )
        body = answer.body.strip()
        if answer.status != 200 or body != self.value:
            return Outcome(False, expected, f"HTTP {answer.status} with {body[:80]!r}", f"Store {self.value!r}.")
        return Outcome(True, expected, f"HTTP 200 with {body!r}")
