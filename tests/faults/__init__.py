"""Black-box randomized fault suite for ``parabatch-cli`` (see ``harness.py``)."""
