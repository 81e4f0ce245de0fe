"""Who listens on a TCP port: the socket's owner, read inside a container from /proc.

Run inside a container (``docker exec``), the script sees the listening sockets of the
container's network namespace and only the container's own processes: a socket owned by one
of them is the container's; one owned by nobody it can see belongs to another container or
process sharing that network (``--network host``).
"""

from __future__ import annotations

# $1: the port. Prints OWNER PID/fd, OTHER (a listener, not ours) or NOLISTEN.
OWNER_SCRIPT = r"""
port=$(printf ':%04X' "$1")
inodes=$(awk -v p="$port" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
  /proc/net/tcp /proc/net/tcp6 2>/dev/null)
[ -n "$inodes" ] || { echo NOLISTEN; exit 0; }
for fd in /proc/[0-9]*/fd/*; do
  link=$(readlink "$fd" 2>/dev/null) || continue
  for inode in $inodes; do
    [ "$link" = "socket:[$inode]" ] && { echo "OWNER ${fd#/proc/}"; exit 0; }
  done
done
echo OTHER
"""


def owner_command(port: int) -> list[str]:
    """The command (for an exec in the container) that tells who owns the listener on ``port``."""
    return ["sh", "-c", OWNER_SCRIPT, "sh", str(port)]


def parse_owner(output: str) -> str:
    """``own``, ``other``, ``none`` (no listener) or ``unknown`` from the script's output."""
    words = output.strip().split()
    first = words[-2] if len(words) >= 2 and words[-2] == "OWNER" else (words[-1] if words else "")
    return {"OWNER": "own", "OTHER": "other", "NOLISTEN": "none"}.get(first, "unknown")
