"""An ONBUILD trigger is recognised in a child's history, whichever builder made it."""

from __future__ import annotations

import pytest

from grader.facts.images import HistoryStep


@pytest.mark.parametrize(
    ("created_by", "trigger", "runs"),
    [
        ("COPY . /src # buildkit", "COPY . /src", True),  # BuildKit
        ("/bin/sh -c #(nop) COPY dir:3eda2ba6184f in /src ", "COPY . /src", True),  # classic
        ("COPY app.txt /src/app.txt # buildkit", "COPY . /src", False),  # a sibling's own COPY
        ("/bin/sh -c #(nop) COPY file:9f2a in /src/app.txt ", "COPY . /src", False),
        ("ADD site.tar /srv/ # buildkit", "ADD site.tar /srv", True),
        ("RUN /bin/sh -c make # buildkit", "RUN make", True),
        ("/bin/sh -c make", "RUN make", True),
        ("WORKDIR /src", "COPY . /src", False),
        ('COPY [".", "/src"] # buildkit', 'COPY [".", "/src"]', True),  # exec form, BuildKit
        ("/bin/sh -c #(nop) COPY dir:3eda2ba6184f in /src ", 'COPY [".", "/src"]', True),  # exec form, classic
        ("COPY --chown=1000 . /src # buildkit", "COPY --chown=1000 . /src", True),
        ('COPY [".", "/app"] # buildkit', 'COPY [".", "/src"]', False),
    ],
)
def test_runs_trigger(created_by: str, trigger: str, runs: bool) -> None:
    assert HistoryStep(created_by, 0, False).runs_trigger(trigger) is runs
