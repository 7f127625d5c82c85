"""``chainrule serve``: a local web explorer of derivatives, steps, plots and graphs.

:func:`create_app` is the Starlette application (JSON API in :mod:`.api`, documented in
``docs/web-api.md``); :func:`serve` runs it with uvicorn on the loopback interface.
"""

from chainrule.web.app import create_app
from chainrule.web.server import serve

__all__ = ["create_app", "serve"]
