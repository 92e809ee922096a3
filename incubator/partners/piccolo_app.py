from pathlib import Path

from piccolo.conf.apps import AppConfig

from incubator.partners.tables import (
    ConsentChange,
    ExportChunk,
    ExportItem,
    Mou,
    MouCluster,
    PartnerContact,
    PartnerMembership,
    PartnerPark,
    PartnerToken,
    Referral,
    ReferralExport,
    ReferralNote,
    SharingConsent,
    WebhookDelivery,
)

APP_CONFIG = AppConfig(
    app_name="partners",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        PartnerPark,
        PartnerMembership,
        PartnerContact,
        Mou,
        MouCluster,
        SharingConsent,
        ConsentChange,
        Referral,
        ReferralNote,
        PartnerToken,
        ReferralExport,
        ExportChunk,
        ExportItem,
        WebhookDelivery,
    ],
    migration_dependencies=["incubator.auth.piccolo_app", "incubator.startups.piccolo_app"],
    commands=[],
)
