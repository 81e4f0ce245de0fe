"""The engine-clock marks of tests/support.py: RFC 3339 times become the events API's seconds.nanoseconds."""

from __future__ import annotations

import pytest

from tests.support import events_time


def test_events_time_keeps_nanoseconds_and_zones() -> None:
    """Nanoseconds survive (the point of a mark), short fractions are padded, offsets are applied."""
    assert events_time("1970-01-01T00:00:10.123456789Z") == "10.123456789"
    assert events_time("1970-01-01T00:00:10.5Z") == "10.500000000"
    assert events_time("1970-01-01T00:00:10Z") == "10.000000000"
    assert events_time("1970-01-01T01:00:10.000000001+01:00") == "10.000000001"


def test_events_time_refuses_what_is_not_rfc3339() -> None:
    """A malformed engine time fails loudly instead of giving a wrong mark."""
    with pytest.raises(ValueError, match="RFC 3339"):
        events_time("yesterday")
