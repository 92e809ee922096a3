from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.programmes.funding.tables import (
    Claim,
    ClaimEvidence,
    ClaimStep,
    Grant,
    GrantAmendment,
    Milestone,
    PaymentBatch,
    ProgressReport,
)
from incubator.programmes.tables import (
    Application,
    ApplicationFile,
    Call,
    CallReviewer,
    Review,
    ReviewerInvitation,
)

APP_CONFIG = AppConfig(
    app_name="programmes",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Call,
        Application,
        ApplicationFile,
        CallReviewer,
        Review,
        ReviewerInvitation,
        Grant,
        Milestone,
        GrantAmendment,
        PaymentBatch,
        Claim,
        ClaimEvidence,
        ClaimStep,
        ProgressReport,
    ],
    migration_dependencies=["incubator.auth.piccolo_app", "incubator.startups.piccolo_app"],
    commands=[],
)
