"""Mutation testing of the exercises' checks: answers generated from each reference by small changes.

``python -m tests.mutation`` runs every exercise (``--fast`` the subset the test suite
runs, ``-x ID`` one exercise) in a lab of its own and writes the score file
(``bench/results/mutation.json``, ``docs/mutation.md``).
"""
