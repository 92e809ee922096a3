from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.auth.tables import AuditEntry, LoginAttempt, User, UserSession

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[User, UserSession, LoginAttempt, AuditEntry],
    migration_dependencies=[],
    commands=[],
)
