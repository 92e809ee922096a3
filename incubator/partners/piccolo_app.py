from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.partners.tables import PartnerMembership, PartnerPark

APP_CONFIG = AppConfig(
    app_name="partners",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PartnerPark, PartnerMembership],
    migration_dependencies=["incubator.auth.piccolo_app"],
    commands=[],
)
