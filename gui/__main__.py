"""``python -m gui [PATH...]``: open the window with those files and folders added."""

from __future__ import annotations

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
