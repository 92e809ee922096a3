from pathlib import Path

from piccolo.conf.apps import AppConfig

import incubator.startups.tallies  # noqa: F401  (registers the start-ups' summary rows)
from incubator.startups.tables import (
    Centre,
    CentreStartups,
    Cluster,
    Invitation,
    ManagerAssignment,
    ProfileChange,
    Programme,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupLogo,
    StartupMembership,
    StartupProgramme,
    TeamMember,
)

APP_CONFIG = AppConfig(
    app_name="startups",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Centre,
        Cluster,
        Programme,
        Startup,
        StartupCluster,
        StartupAffiliation,
        StartupProgramme,
        TeamMember,
        StartupMembership,
        ManagerAssignment,
        ProfileChange,
        StartupLogo,
        Invitation,
        CentreStartups,
    ],
    migration_dependencies=["incubator.auth.piccolo_app"],
    commands=[],
)
