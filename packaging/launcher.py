"""Entry script of the frozen app: PyInstaller runs this file as ``__main__``.

``freeze_support()`` comes first: in the frozen app every worker process is this same
executable started with ``--multiprocessing-fork``; the call runs the worker there and exits, so
a worker never reaches the GUI. (``gui.app.main`` calls it too; a second call is a no-op.)
"""

import multiprocessing

multiprocessing.freeze_support()

import sys  # noqa: E402

from gui.app import main  # noqa: E402

sys.exit(main())
