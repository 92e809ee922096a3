from pathlib import Path

from piccolo.conf.apps import AppConfig

import events.tallies  # noqa: F401  (registers the events' summary rows)
from events.academy.tables import AssessmentScore, Certificate, SessionAttendance
from events.rooms.tables import BookableRoom, CreditDefault, CreditEntry, CreditMonth, LeaseCredits
from events.tables import (
    Course,
    CoursePrerequisite,
    Event,
    EventCluster,
    EventTally,
    FeedToken,
    Registration,
    RoomBooking,
    Venue,
    VenueHold,
)

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Venue,
        Course,
        CoursePrerequisite,
        Event,
        EventCluster,
        Registration,
        FeedToken,
        SessionAttendance,
        AssessmentScore,
        Certificate,
        EventTally,
        RoomBooking,
        VenueHold,
        BookableRoom,
        CreditDefault,
        LeaseCredits,
        CreditMonth,
        CreditEntry,
    ],
    migration_dependencies=["centres.piccolo_app"],
    commands=[],
)
