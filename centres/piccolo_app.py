from pathlib import Path

from piccolo.conf.apps import AppConfig

from centres.tables import Building, Lease, Unit

APP_CONFIG = AppConfig(
    app_name="centres",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Building, Unit, Lease],
    migration_dependencies=["incubator.startups.piccolo_app"],
    commands=[],
)
