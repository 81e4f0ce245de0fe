"""Chapter 06 exercises (added by the chapter's issue)."""

from __future__ import annotations

from grader.chapters import Exercise

EXERCISES: list[Exercise] = []
