"""Connecting to, starting, provisioning and resetting the course engine.

This is the only package that knows how an engine is started.
"""
