"""What an image's content yields, remembered by image id for the life of the process.

An image id is the digest of the image's config, which names the digest of every
layer: the files of an image, and what a probe of the image alone prints (no
volumes, no host namespaces, no network, a fixed command), cannot change while
that id exists. A rebuilt image under the same tag has another id, so a tag is
never a key: every check run inspects its tags afresh (:class:`EngineFacts`) and
asks here by the id it found, and the probe then runs from that id, not from the
tag (which may move meanwhile).

Only answers are kept: an error (absent image, refused probe, a probe that timed
out) is read again next time. The memo lives in memory only: nothing on disk, so
nothing a learner's kernel could write into it between two checks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import docker

T = TypeVar("T")
MAX_ENTRIES = 256  # a whole course's images hold a few dozen entries; the bound keeps a long kernel small
_MEMO: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def engine_key(client: docker.DockerClient) -> str:
    """Which engine ``client`` talks to: its socket path, else its base URL.

    Part of every key: an image id names the same content on every engine, but a
    probe's behaviour is the engine's too (its runtime, its defaults).
    """
    api = client.api
    adapter = getattr(api, "_custom_adapter", None)
    return str(getattr(adapter, "socket_path", "") or api.base_url)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()  # what :func:`known` answers for what was never read (None is an answer)


def known(client: docker.DockerClient, image_id: str, what: tuple[Hashable, ...]) -> Any:
    """The answer remembered for ``what`` of ``image_id`` on ``client``'s engine, else :data:`UNKNOWN`."""
    if not image_id:
        return UNKNOWN
    key = (engine_key(client), image_id, *what)
    with _LOCK:
        if key not in _MEMO:
            return UNKNOWN
        _MEMO.move_to_end(key)
        return _MEMO[key]


def keep(client: docker.DockerClient, image_id: str, what: tuple[Hashable, ...], value: Any) -> None:
    """Remember ``value`` as the answer for ``what`` of ``image_id`` (nothing without an id)."""
    if not image_id:
        return
    with _LOCK:
        _MEMO[(engine_key(client), image_id, *what)] = value
        while len(_MEMO) > MAX_ENTRIES:
            _MEMO.popitem(last=False)


def remembered(
    client: docker.DockerClient,
    image_id: str,
    what: tuple[Hashable, ...],
    read: Callable[[], T],
    worth_keeping: Callable[[T], bool] | None = None,
) -> T:
    """``read()`` once per engine, image id and ``what``; later calls get the same answer.

    Without an ``image_id`` nothing is remembered. An exception is never remembered,
    nor an answer ``worth_keeping`` says no to (e.g. a probe that timed out).
    """
    found = known(client, image_id, what)
    if found is not UNKNOWN:
        return found
    value = read()
    if worth_keeping is None or worth_keeping(value):
        keep(client, image_id, what, value)
    return value


def clear() -> None:
    """Forget everything (benchmarks measuring a first run; tests)."""
    with _LOCK:
        _MEMO.clear()


def size() -> int:
    """How many answers are remembered."""
    with _LOCK:
        return len(_MEMO)
