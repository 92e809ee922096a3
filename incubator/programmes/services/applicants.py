"""New applicants: someone not yet in the community makes an account and a draft start-up
(status applicant: seen only by its own members, in no directory, count or export) to apply
to an open call. Admission turns the draft into a member of the community."""

from __future__ import annotations

from datetime import timedelta

from incubator.auth.services.accounts import create_user, normalise_email
from incubator.auth.tables import LoginAttempt, Role
from incubator.db import utcnow, write_transaction
from incubator.errors import Conflict, TooManyRequests, ValidationFailed
from incubator.i18n import today_hk
from incubator.programmes.schemas import JoinIn
from incubator.programmes.services.applications import closed_message
from incubator.programmes.services.calls import get_call
from incubator.programmes.tables import Application
from incubator.startups.services.profiles import insert_startup
from incubator.startups.tables import Startup, StartupMembership

SIGN_UPS_AN_HOUR = 5  # accounts one address may make this way in an hour
_MARK = "sign-up:"  # sign-ups are kept beside log-in attempts, which all workers share


def join_problems(data: JoinIn) -> dict[str, str]:
    errors = {}
    if not data.startup_en.strip():
        errors["startup_en"] = "is required"
    for name in ("startup_en", "startup_zh"):
        if len(getattr(data, name).strip()) > 200:
            errors[name] = "must be at most 200 characters"
    year = data.founded_year
    if year is not None and not 1900 <= year <= today_hk().year:
        errors["founded_year"] = f"must be a year from 1900 to {today_hk().year}"
    return errors


def join_problems_of(values: dict) -> dict[str, str]:
    """The rules broken by the values of the form that could be read."""
    readable = {k: v for k, v in values.items() if k in JoinIn.__struct_fields__}
    blank = {"name": "", "email": "", "password": "", "startup_en": ""}
    return join_problems(JoinIn(**(blank | readable)))


async def join(call_id: int, data: JoinIn, ip: str) -> tuple[int, int]:
    """The new account, its draft start-up and its application to the call, at once (or
    none of them). Returns (user id, application id)."""
    call = await get_call(call_id)
    if call.status != "open":
        raise Conflict(closed_message(call))
    since = utcnow() - timedelta(hours=1)
    made = await LoginAttempt.count().where(
        (LoginAttempt.ip == ip)
        & LoginAttempt.email.like(f"{_MARK}%")
        & (LoginAttempt.attempted_at > since)
    )
    if made >= SIGN_UPS_AN_HOUR:
        raise TooManyRequests(
            "too many accounts made from this address; try again in an hour", retry_after=3600
        )
    errors = join_problems(data)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        # Nested in this transaction: an account refused (a taken email, a weak password)
        # leaves no start-up or application behind.
        user_id = await create_user(data.email, data.name, data.password, Role.member)
        startup_id = await insert_startup(data.startup_en.strip())
        await Startup.update(
            {
                Startup.status: "applicant",
                Startup.name_zh: data.startup_zh.strip(),
                Startup.founded_year: data.founded_year,
                Startup.contact_name: data.name.strip(),
                Startup.contact_email: normalise_email(data.email),
            }
        ).where(Startup.id == startup_id)
        await StartupMembership.insert(
            StartupMembership(startup=startup_id, user=user_id, role="owner")
        )
        rows = await Application.insert(
            Application(call=call_id, startup=startup_id, applicant=user_id)
        ).returning(Application.id)
        await LoginAttempt.insert(
            LoginAttempt(email=f"{_MARK}{normalise_email(data.email)}", ip=ip, succeeded=True)
        )
    return user_id, rows[0]["id"]
