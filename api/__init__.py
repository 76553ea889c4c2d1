"""JSON endpoints for machines and scripts. Authentication is done by the request guard.

``API_MODULES`` names every module here that has a ``blueprint``; ``create_app`` registers them
in this order and ``api.openapi`` gathers their ``OPENAPI_PATHS``/``OPENAPI_SCHEMAS``. A new
feature adds its module name on a line of its own.
"""

import importlib
from types import ModuleType

API_MODULES = (
    "health",
    "v1",
    "meters",
    "docs",
    "runs",
    "openapi",
    "studies",
    "footprint",
    "turbines",
)


def api_modules() -> list[ModuleType]:
    return [importlib.import_module(f"api.{name}") for name in API_MODULES]
