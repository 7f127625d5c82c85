"""Shared test configuration: a deterministic hypothesis profile for CI, and the headless
browser of the web tests (``web_harness.py``)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from web_harness import chromium

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module (``web_harness.chromium``)."""
    with chromium() as b:
        yield b
