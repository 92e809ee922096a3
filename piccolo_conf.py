"""For the `piccolo` command-line tool (e.g. `piccolo migrations new startups --auto`)."""

from incubator.piccolo_conf import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
