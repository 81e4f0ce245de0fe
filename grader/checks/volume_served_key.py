"""Check type: a course/kv container serves a key's value over HTTP (GET /KEY on its port)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.checks.base import Check, Context, Outcome


@dataclass
class ServedKey(Check):
    """GET ``/key`` on ``port`` of the running ``container`` (from its own network namespace) returns ``value``."""

    container: str = ""
    key: str = ""
    value: str = ""
    port: int = 8080
    kind: ClassVar[str] = "kv key served"
    REQUIRED = ("container", "key")
    OBJECTS = {"container": "container"}

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
                f"{self.container} serves an empty store: the key is not in the volume it mounts. Store it in the "
                "first container while it mounts the same volume (docker exec NAME kv put KEY VALUE).",
            )
        if answer.status is None:
            return Outcome(
                False,
                expected,
                answer.error or "no answer",
                f"{self.container} does not answer on port {self.port}: run course/kv:1.0 with its own command.",
            )
        body = answer.body.strip()
        if answer.status != 200 or body != self.value:
            return Outcome(False, expected, f"HTTP {answer.status} with {body[:80]!r}", f"Store {self.value!r}.")
        return Outcome(True, expected, f"HTTP 200 with {body!r}")
