from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.events.tables import Event, EventCluster, FeedToken, Registration, Venue

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Venue, Event, EventCluster, Registration, FeedToken],
    migration_dependencies=["incubator.centres.piccolo_app"],
    commands=[],
)
