"""What the course does, once: the operations every front end calls.

The CLI (``grader/cli.py``), the check-cell helper (``grader/notebook.py``), the
widgets and the landing page parse their input, call one of these and present the
value it returns; none of them talks to the engine package or the Docker API for
an operation listed here. Services take plain values (never an argparse
Namespace), report long work through a ``Reporter`` and raise ``GraderError``
subclasses whose message says what to do.

- :mod:`~grader.services.status`: mode, engine, base images, JupyterLab URL.
- :mod:`~grader.services.lab_control`: start, stop and reset the course engine.
- :mod:`~grader.services.provisioning`: base images, and a chapter's images (``prepare``).
- :mod:`~grader.services.checking`: check an exercise and record the learner's progress.
- :mod:`~grader.services.progress`: the progress file itself (best score per exercise).
- :mod:`~grader.services.doctor`: the evidence a failing setup needs, in one report.
- :mod:`~grader.services.answers`: hints and solutions on request (over ``grader.workspace``).

Layering: services sit above ``chapters/`` and ``nbgrader_glue/`` and below every
front end. Each service says what it does when called from inside a lab, where the
widgets and check cells run (in the lab's kernel, whose course engine is the lab's
own dockerd and which has no host engine of its own).
"""
