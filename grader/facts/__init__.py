"""Snapshots of engine state as typed objects, each read at most once per check run.

:class:`grader.facts.interface.Facts` is the interface checks read through;
:class:`grader.facts.snapshot.EngineFacts` implements it against the course
engine: image, container, network and volume facts by name, and probes in the
engine host's namespaces. To see the engine's state again, make a new one.
"""
