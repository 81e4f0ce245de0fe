"""nbgrader's Execute preprocessor, made to grade what ran when a notebook misbehaves.

nbgrader's own ``Execute`` stops at the first dead kernel (``DeadKernelError``)
or unresponsive cell (``CellTimeoutError`` after a failed interrupt), and the
notebook then gets nothing: every check cell that passed before is lost.
``GradingExecute`` runs the cells one by one instead:

- a cell whose kernel dies (``os._exit``, out of memory) gets an error output
  naming it; a fresh kernel replays the notebook's read-only setup cells and the
  notebook goes on after that cell, so check cells before it keep their scores
  and the rest are graded as nbgrader would;
- a cell that runs past its time limit is interrupted (nbgrader's
  ``CellTimeoutError`` output); what it started stops too: the kernel's child
  processes and the containers it created in the lab's engine;
- past the notebook's time limit, cells not reached get an error output (so a
  check cell scores 0, never full marks for not running) and what finished counts;
- a cell keeps at most ``max_output_bytes`` of output, the notebook at most
  ``max_notebook_output_bytes``; the cut is said in the cell;
- the chapter's demonstrations (cells the source notebook tags ``demo``) are not
  run again while the notebook's code outside its answers is as released
  (``demo_cells.py``; ``skip_demos``).

Each incident is written to ``<incidents_dir>/<notebook>.json`` for the
grader's report (``verdict.py``). Configure it like any nbgrader preprocessor,
e.g. ``c.GradingExecute.notebook_timeout = 1800`` (``c.Execute.timeout`` is
the per-cell limit).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import zmq
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from grader.engine.settings import in_lab
from grader.nbgrader_glue import demo_cells, engine_cleanup, kernel_limits, trusted_check, verdict
from grader.nbgrader_glue.output_cap import OUTPUT_CUT, room, size_of, stream

INCIDENTS_ENV = "DOCKER_COURSE_INCIDENTS"
TIMEOUT_ENAME = "CellTimeoutError"
DEAD_ENAME = "DeadKernelError"
NOT_RUN_ENAME = "NotExecuted"


class GradingExecute(Execute):
    """Execute every cell; survive dead kernels and runaway cells; bound output and time."""

    notebook_timeout = Integer(
        1800,
        help="Seconds the whole notebook may run. Cells not reached by then are not run and score 0; "
        "what finished keeps its score. 0 means no limit.",
    ).tag(config=True)
    max_output_bytes = Integer(
        1_000_000,
        help="Bytes of output one cell keeps in the graded notebook; the rest is dropped and the cell "
        "says that its output was cut. 0 means no limit.",
    ).tag(config=True)
    max_notebook_output_bytes = Integer(
        20_000_000,
        help="Bytes of output the whole graded notebook keeps (the sum over its cells). 0 means no limit.",
    ).tag(config=True)
    max_kernel_restarts = Integer(
        5,
        help="Fresh kernels started after kernel deaths or unresponsive cells; past that the remaining "
        "cells are not run.",
    ).tag(config=True)
    stop_started_containers = Bool(
        True,
        help="When a cell is interrupted or its kernel dies, kill the containers it created in the "
        "course engine and the processes its kernel started.",
    ).tag(config=True)
    trusted_checks = Bool(
        True,
        help='Score check cells that are one call check("ID") in the grader, from the engine, instead of '
        "in the learner's kernel (a redefined check() then scores nothing, a dead kernel stops no check).",
    ).tag(config=True)
    max_message_bytes = Integer(
        8_000_000,
        help="Largest single output message the grader receives from the kernel; a larger one (a huge "
        "print sent at once) is dropped unread, so the grader's memory stays bounded. 0 means no limit.",
    ).tag(config=True)
    kernel_pids_limit = Integer(
        1024, help="Processes the kernel and what it starts may have in a grading lab (0: the lab's limit only)."
    ).tag(config=True)
    kernel_memory_limit = Unicode(
        "3g", help="Memory of the kernel and what it starts in a grading lab, e.g. 3g (empty: the lab's limit only)."
    ).tag(config=True)
    containers_pids_limit = Integer(
        2048, help="Processes all containers of a grading lab's engine may have together (0: the lab's limit)."
    ).tag(config=True)
    containers_memory_limit = Unicode(
        "4g", help="Memory all containers of a grading lab's engine may use together (empty: the lab's limit)."
    ).tag(config=True)
    sweep_at_end = Bool(
        False,
        help="After the last cell, kill every container and process the submission left running (grading "
        "labs only: never set it where the engine or the machine is shared).",
    ).tag(config=True)
    skip_demos = Bool(
        True,
        help="Do not run the cells the source notebook tags demo (and Check button cells) while the "
        "submitted notebook's code outside its answers is the instructor's, word for word; a notebook "
        "with a cell of the learner's own outside the answers runs in full.",
    ).tag(config=True)
    demo_list = Unicode(
        "",
        help="Where the course's demonstration cells are listed: the kit's demo_cells.json, or the folder "
        "of source assignments (empty: every cell runs).",
    ).tag(config=True)
    incidents_dir = Unicode(
        "",
        help=f"Folder for <notebook>.json incident records (default: ${INCIDENTS_ENV}, else none).",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        """Execute ``nb`` cell by cell, restarting the kernel where it died (see the module doc)."""
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.incidents: list[dict[str, Any]] = []
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
        self._output_used: dict[int, int] = {}
        self._output_total = 0
        self.timeout_func = self._cell_timeout
        self._skip = self._demonstrations()
        if in_lab():  # the lab's engine puts its containers below this group: caps leave room for nbgrader
            memory = kernel_limits.parse_size(self.containers_memory_limit)
            kernel_limits.confine(None, self.containers_pids_limit, memory, group=kernel_limits.CONTAINERS)
        index, kernels = 0, 0
        while index < len(self.nb.cells):
            if kernels > self.max_kernel_restarts:
                self._not_run(index, "the kernel was restarted too many times")
                break
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                if info:
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                if kernels:
                    self._replay_setup(index)
                index = self._run_from(index)
            kernels += 1
        self.set_widgets_metadata()
        if self.sweep_at_end and in_lab():
            # nothing of the submission may be alive while nbgrader writes the grades
            containers, processes = engine_cleanup.sweep_lab(engine_cleanup.engine_client(), kernel_limits.groups())
            self.log.info("end of notebook: killed %d container(s), %d process(es)", containers, processes)
        self._write_incidents()
        return self.nb, self.resources

    def start_new_kernel_client(self) -> Any:
        """nbclient's kernel client, its output channel refusing messages over ``max_message_bytes``."""
        kc = super().start_new_kernel_client()
        pid = kernel_limits.pid_of(self.km)
        if in_lab() and pid:
            memory = kernel_limits.parse_size(self.kernel_memory_limit)
            applied = kernel_limits.confine(pid, self.kernel_pids_limit, memory)
            self.log.info("kernel %d in its own cgroup (%s)", pid, ", ".join(applied) or "not possible here")
        if self.max_message_bytes > 0:
            socket = kc.iopub_channel.socket
            url = socket.getsockopt(zmq.LAST_ENDPOINT).decode()
            # the limit applies to connections made after it is set: connect again (the kernel is idle)
            socket.disconnect(url)
            socket.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
            socket.connect(url)
        return kc

    def _run_from(self, start: int) -> int:
        """Run cells from ``start``; the index to resume at (past a dead cell), or the end."""
        cells = self.nb.cells
        client = engine_cleanup.engine_client() if self.stop_started_containers else None
        for index in range(start, len(cells)):
            if self._time_left() == 0:
                self._not_run(index, f"the notebook's time limit ({self.notebook_timeout} s) was reached")
                return len(cells)
            cell = cells[index]
            if index in self._skip:
                continue  # a demonstration as released: nothing graded depends on it
            before = engine_cleanup.container_ids(client) if cell.cell_type == "code" and client else None
            call = trusted_check.parse_check_call(cell.source) if self.trusted_checks else None
            if call and trusted_check.is_check_cell(cell):
                trusted_check.score_cell(self, cell, *call)
                continue
            limit, started = self._cell_timeout(cell), time.monotonic()
            try:
                self.preprocess_cell(cell, self.resources, index)
            except DeadKernelError:
                self._kernel_died(index, cell)
                self._stop_started(client, before, index)
                return index + 1
            except CellTimeoutError:
                # before its limit, nbclient only gives up when the end of the cell's output never came
                self._unresponsive(index, cell, output_lost=limit is None or time.monotonic() - started < limit)
                self._stop_started(client, before, index)
                return index + 1
            if any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", [])):
                self._record("timeout", index, f"interrupted after {limit} s" + self._which_limit(limit))
                self._stop_started(client, before, index)
        return len(cells)

    def _demonstrations(self) -> frozenset[int]:
        """The indices of the demonstration cells not to run (none unless ``skip_demos``)."""
        names = (self.resources or {}).get("nbgrader", {})
        if not self.skip_demos or not names.get("assignment"):
            return frozenset()
        entry = demo_cells.entry_for(self.demo_list, names["assignment"], names.get("notebook", ""))
        found = demo_cells.plan(self.nb, entry)
        if found.skip:
            self.log.info("%d demonstration cell(s) as released: not run", len(found.skip))
        else:
            self.log.info("every cell runs: %s", found.why_not)
        return found.skip

    def _unresponsive(self, index: int, cell: NotebookNode, output_lost: bool) -> None:
        """nbclient gave up on the cell: a fresh kernel goes on after it."""
        if output_lost:
            # the cell finished, but its end was never seen on the output channel: an oversized message
            limit = self.max_message_bytes
            cell.setdefault("outputs", []).append(stream(OUTPUT_CUT.format(limit=limit)))
            self._record("output cut", index, f"an output message over {limit} bytes was dropped; kernel restarted")
            return
        self._add_error(cell, TIMEOUT_ENAME, "the cell did not stop when interrupted; the kernel was restarted")
        self._record("timeout", index, "did not stop when interrupted at its time limit")

    def _cell_timeout(self, cell: NotebookNode | None) -> int | None:
        """The per-cell limit (``timeout``), shortened to what the notebook's limit leaves."""
        per_cell = self.timeout if self.timeout and self.timeout > 0 else None
        left = self._time_left()
        if left is None:
            return per_cell
        return max(1, min(per_cell or left, left))

    def _which_limit(self, limit: int | None) -> str:
        if self.timeout and limit is not None and limit >= self.timeout:
            return " (the cell's time limit)"
        return f" (the notebook's time limit, {self.notebook_timeout} s)"

    def _time_left(self) -> int | None:
        if self._deadline is None:
            return None
        return max(0, int(self._deadline - time.monotonic()))

    def _kernel_died(self, index: int, cell: NotebookNode) -> None:
        code = kernel_limits.exit_code(self.km)
        if code is not None and code < 0:
            how = f"was killed by signal {-code}"
            if -code == signal.SIGKILL:
                how += " (out of memory or another resource limit)"
        else:
            how = f"exited with code {code}" if code is not None else "stopped"
        text = f"The kernel {how} while running this cell; the cells after it ran in a fresh kernel."
        self._add_error(cell, DEAD_ENAME, text)
        self._record("kernel died", index, how, exit_code=code)

    def _stop_started(self, client: Any, before: set[str] | None, index: int) -> None:
        if not self.stop_started_containers:
            return
        processes = engine_cleanup.kill_descendants(kernel_limits.pid_of(self.km))
        killed = engine_cleanup.kill_new_containers(client, before)
        if killed or processes:
            what = f"stopped {len(killed)} container(s) it started ({', '.join(killed)})" if killed else ""
            if processes:
                what += ("; " if what else "") + f"killed {processes} process(es) it started"
            self._record("stopped", index, what)

    def _replay_setup(self, before: int) -> None:
        """Run the read-only setup cells above ``before`` in the fresh kernel (imports, folders)."""
        for cell in self.nb.cells[:before]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or meta.get("grade") or meta.get("solution") or not meta.get("locked"):
                continue
            try:
                self.wait_for_reply(self.kc.execute(cell.source, store_history=False, allow_stdin=False))
            except (DeadKernelError, CellTimeoutError):
                return

    def _not_run(self, start: int, why: str) -> None:
        for index in range(start, len(self.nb.cells)):
            cell = self.nb.cells[index]
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = []
                self._add_error(cell, NOT_RUN_ENAME, f"Not run: {why}.")
        self._record("not run", start, why)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        """nbclient's output handler, keeping at most ``max_output_bytes`` per cell."""
        size = size_of(msg.get("content", {}))
        used = self._output_used.get(cell_index, 0)
        cap = room(self.max_output_bytes, used, self.max_notebook_output_bytes, self._output_total)
        if cap is None or size <= cap:
            self._output_used[cell_index] = used + size
            self._output_total += size
            return super().output(outs, msg, display_id, cell_index)
        if used >= 0:  # first overflow in this cell: keep what fits of a stream, then say so
            content = msg.get("content", {})
            if msg.get("msg_type") == "stream" and cap > 0:
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name=content.get("name", "stdout"),
                        text=str(content.get("text", ""))[:cap],
                    )
                )
            limit = min(x for x in (self.max_output_bytes, self.max_notebook_output_bytes) if x > 0)
            outs.append(stream(OUTPUT_CUT.format(limit=limit)))
            self._output_total += cap
            self._output_used[cell_index] = -1  # cut: nothing more is kept for this cell
            self._record("output cut", cell_index, f"output over {limit} bytes was cut")
        return None

    def _add_error(self, cell: NotebookNode, ename: str, text: str) -> None:
        cell.setdefault("outputs", []).append(
            NotebookNode(output_type="error", ename=ename, evalue=text, traceback=[f"{ename}: {text}"])
        )

    def _record(self, kind: str, index: int, message: str, **extra: Any) -> None:
        cell = self.nb.cells[index] if index < len(self.nb.cells) else {}
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        self.incidents.append({"kind": kind, "cell": index + 1, "grade_id": grade_id, "message": message, **extra})
        self.log.warning("cell %d (%s): %s: %s", index + 1, grade_id or "-", kind, message)

    def _write_incidents(self) -> None:
        folder = self.incidents_dir or os.environ.get(INCIDENTS_ENV, "")
        if folder:
            name = str((self.resources or {}).get("unique_key") or "notebook")
            verdict.write_incidents(Path(folder) / f"{name}.json", name, self.incidents)
