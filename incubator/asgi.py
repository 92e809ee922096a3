"""The ASGI entry point for servers with several workers: `uvicorn incubator.asgi:app`."""

from incubator.access_log import RequestLog, configure_logging
from incubator.app import create_app

configure_logging()
app = RequestLog(create_app())  # one log line a request, unmatched paths included
