"""The ASGI entry point for servers with several workers: `uvicorn incubator.asgi:app`."""

from incubator.app import create_app

app = create_app()
