"""A class on one server: JupyterHub in front of one lab per learner (``docker-course hub``)."""
