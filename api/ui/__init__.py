"""The static web UI at /ui: an HTML page, CSS and ES modules shipped in the package, served without a key.

The files hold no data: the page asks the keyed GraphQL API for everything it shows. They are served with a strict
Content-Security-Policy (scripts and styles from this origin only, requests to this origin only), so data the API
returns can never run as code even if some page code put it in the DOM wrongly.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).with_name("static")
UI_PATH = "/ui"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Set here rather than from the platform's mime.types: a module script served with another type does not run.
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


class UIFiles(StaticFiles):
    """StaticFiles with fixed content types and the UI's security headers on every answer."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        content_type = _CONTENT_TYPES.get(Path(path).suffix or ".html")
        if content_type is not None and response.status_code == 200:
            response.headers["Content-Type"] = content_type
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-cache"  # revalidate (ETag), so an upgrade is seen at once
        return response


def mount_ui(app: FastAPI) -> None:
    """Serve the UI at /ui/ (/ui redirects there, so the page's relative asset paths resolve)."""
    app.mount(UI_PATH, UIFiles(directory=STATIC_DIR, html=True), name="ui")
