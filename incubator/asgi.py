"""The ASGI entry point for servers with several workers: `uvicorn incubator.asgi:app`."""

from incubator.access_log import configure_logging
from incubator.app import create_app

configure_logging()
app = create_app()
