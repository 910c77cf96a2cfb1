"""Parabatch's desktop window (PySide6). Everything Qt lives here; ``core`` never imports it."""
