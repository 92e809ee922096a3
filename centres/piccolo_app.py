from pathlib import Path

from piccolo.conf.apps import AppConfig

import centres.tallies  # noqa: F401  (registers the centres' summary rows)
from centres.tables import Building, CentreOnsite, Lease, SpaceDay, Unit

APP_CONFIG = AppConfig(
    app_name="centres",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Building, Unit, Lease, CentreOnsite, SpaceDay],
    migration_dependencies=["incubator.startups.piccolo_app"],
    commands=[],
)
