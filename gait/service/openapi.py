"""The OpenAPI 3.1 description of every route, served at ``GET /api/openapi.json``.

The document is a file beside this module (``openapi.json``), checked by
``tests/service/test_openapi.py`` against the OpenAPI 3.1 schema and against the app's own
function index, so a route cannot be added or removed without it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def document_bytes() -> bytes:
    """The document as served (read once per process; it ships with the code)."""
    return DOCUMENT.read_bytes()
