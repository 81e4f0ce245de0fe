"""Check types: one per module, one interface (:class:`grader.checks.base.Check`).

A chapter imports each type from its own module (``grader.checks.image_label``);
:mod:`grader.checks.result` holds what a run produces.
"""
