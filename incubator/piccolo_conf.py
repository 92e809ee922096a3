"""Piccolo's configuration: the engine from settings and the registry of our Piccolo apps."""

from piccolo.conf.apps import AppRegistry

from incubator.db import make_engine
from incubator.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "incubator.auth.piccolo_app",
        "incubator.startups.piccolo_app",
        "incubator.partners.piccolo_app",
        "incubator.programmes.piccolo_app",
        "centres.piccolo_app",
        "events.piccolo_app",
        "incubator.reminders.piccolo_app",
    ]
)
