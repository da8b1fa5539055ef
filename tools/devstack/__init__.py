"""A local StreamStock stack with no Docker and no root.

Real PostgreSQL and Redis servers shipped as PyPI wheels run on loopback under a git-ignored data
folder, the four services run as child processes, and a supervisor makes sure none of them outlives
the stack. `python -m tools.devstack up` is the entry point; tests use the same classes.
"""
