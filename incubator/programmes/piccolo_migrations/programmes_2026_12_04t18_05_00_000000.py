"""One seat a reviewer on a call's panel, one review a reviewer and application, and the
indexes the review queue and the ranking read."""

from incubator.db import raw_migration

ID = "2026-12-04T18:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "review panels and reviews"

COMMON = [
    "CREATE UNIQUE INDEX call_reviewer_one ON call_reviewer (call, \"user\")",
    "CREATE UNIQUE INDEX review_one ON application_review (application, reviewer)",
    "CREATE INDEX review_queue ON application_review (reviewer, call, status)",
    "CREATE INDEX review_by_call ON application_review (call, status)",
    "CREATE INDEX application_ranking ON programme_application (call, score_mean)",
]


async def forwards():
    return raw_migration("programmes", ID, DESCRIPTION, COMMON)
