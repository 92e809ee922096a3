from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.reminders.tables import OutboxMessage, ReminderLedger, ReminderOptOut, SchedulerBeat

APP_CONFIG = AppConfig(
    app_name="reminders",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ReminderLedger, ReminderOptOut, SchedulerBeat, OutboxMessage],
    migration_dependencies=["incubator.auth.piccolo_app"],
    commands=[],
)
