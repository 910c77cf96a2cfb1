"""Executors: what runs chunks of work somewhere (a local process pool, later a cluster).

The job's scheduler sees only the :class:`core.executor.base.Executor` protocol; everything
about processes, pipes and shared memory lives in :mod:`core.executor.pool`.
"""
