"""Partner parks and their users."""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User


class PartnerPark(Table, tablename="partner_park"):
    name = Varchar(length=200, unique=True)
    country = Varchar(length=100, default="")
    city = Varchar(length=100, default="")
    website = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PartnerMembership(Table, tablename="partner_membership"):
    """A partner user belongs to exactly one partner park."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True)
    partner = ForeignKey(PartnerPark, on_delete=OnDelete.cascade, index=True)
