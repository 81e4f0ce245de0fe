"""Snapshots of engine state as typed objects, read once; ``reload()`` is explicit.

:class:`grader.facts.snapshot.EngineFacts` is the entry point: it hands out image,
container, network and volume facts by name and runs probes in the engine host's
namespaces.
"""
