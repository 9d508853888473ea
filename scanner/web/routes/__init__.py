"""Every console route, each declared with its policy action (see `scanner.web.policy`)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from scanner.web.routes import admin, api, findings, signin, sponsor


def all_routes(static: Path) -> list[BaseRoute]:
    """The app's routes: pages, API, static files (CSS only; there is no script)."""
    routes: list[BaseRoute] = []
    for module in (signin, findings, sponsor, admin, api):
        routes.extend(module.route.routes)
    routes.append(Mount("/static", StaticFiles(directory=static), name="static"))
    return routes
