"""Pushing an export to a partner's endpoint: signed, idempotent, retried with backoff.

Each push is a `webhook_delivery` row with an idempotency key that stays the same on every
attempt, so a receiver that already has the file can ignore a repeat. A delivery job claims
due rows atomically (`UPDATE ... WHERE status = 'pending' ... RETURNING`), so two workers
never send one attempt twice; a row left `sending` by a crashed or stuck process is taken
back after a while under a new fencing token, and the old holder neither sends it nor
records an outcome for it. After the last attempt the delivery is dead and waits for an
administrator.

Signature (verify with the partner's secret):
    X-Incubator-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import msgspec

from incubator import outbound
from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.downloads import content_type
from incubator.errors import NotFound, ValidationFailed
from incubator.metrics import Figure, oldest_due
from incubator.partners import policy
from incubator.partners.schemas import DeliveryOut
from incubator.partners.services import exports
from incubator.partners.tables import PartnerPark, ReferralExport, WebhookDelivery
from incubator.settings import Settings

log = logging.getLogger("incubator.webhooks")
STALE_CLAIM = timedelta(minutes=10)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: the HMAC must match and the timestamp be recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Wait before the next attempt: the base, times four for each failure, at most 6 h."""
    seconds = settings.webhook_backoff_seconds * 4 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


async def queue_delivery(viewer: Viewer | None, export_id: int) -> int:
    """A new delivery of a ready export to its partner's endpoint, due now. `viewer` is None
    when the scheduler asks (the monthly export)."""
    if viewer is not None:
        await policy.require_partnership_staff(viewer, "send exports to partners")
    export = (
        await ReferralExport.select(
            ReferralExport.id,
            ReferralExport.status,
            ReferralExport.partner,
            ReferralExport.partner.webhook_url.as_alias("url"),
            ReferralExport.partner.name.as_alias("partner_name"),
        )
        .where(ReferralExport.id == export_id)
        .first()
    )
    if export is None:
        raise NotFound(f"there is no export {export_id}")
    if export["status"] != "ready":
        raise ValidationFailed({"export": f"export {export_id} is {export['status']}"})
    if not export["url"]:
        raise ValidationFailed(
            {"webhook_url": f"{export['partner_name']} has no webhook endpoint; set one first"}
        )
    rows = await WebhookDelivery.insert(
        WebhookDelivery(
            export=export_id,
            partner=export["partner"],
            url=export["url"],
            idempotency_key=f"export-{export_id}-{secrets.token_hex(12)}",
            created_by=viewer.user_id if viewer else None,
            next_attempt_at=utcnow(),
        )
    ).returning(WebhookDelivery.id)
    return rows[0]["id"]


@dataclass(frozen=True)
class Claim:
    """Deliveries this process took, and the fencing token that says it still holds them."""

    ids: list[int]
    token: str


async def claim_due(now: datetime, limit: int = 20, only: int | None = None) -> Claim:
    """Take due deliveries for this process; a row claimed here is claimed nowhere else, and
    one taken back as stale (its sender stuck past STALE_CLAIM) gets a new token, so the
    stuck sender can no longer send it or record an outcome for it."""
    stale, token = now - STALE_CLAIM, secrets.token_hex(16)
    extra = f" AND id = {int(only)}" if only is not None else ""
    async with write_transaction():
        await WebhookDelivery.raw(
            "UPDATE webhook_delivery SET status = 'pending' "
            "WHERE status = 'sending' AND claimed_at < {}",
            stale,
        )
        rows = await WebhookDelivery.raw(
            f"""
            UPDATE webhook_delivery SET status = 'sending', claimed_at = {{}}, claim_token = {{}}
            WHERE status = 'pending' AND id IN (
                SELECT id FROM webhook_delivery
                WHERE status = 'pending' AND next_attempt_at <= {{}}{extra}
                ORDER BY next_attempt_at LIMIT {int(limit)})
            RETURNING id
            """,
            now,
            token,
            now,
        )
    return Claim([r["id"] for r in rows], token)


async def _still_held(delivery_id: int, token: str) -> bool:
    return await WebhookDelivery.exists().where(
        (WebhookDelivery.id == delivery_id)
        & (WebhookDelivery.status == "sending")
        & (WebhookDelivery.claim_token == token)
    )


async def deliver_due(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """One run of the delivery job: attempt every due delivery once."""
    outcome = {"delivered": 0, "failed": 0, "dead": 0, "lost": 0}
    while True:
        claim = await claim_due(now or utcnow())
        if not claim.ids:
            return outcome
        for delivery_id in claim.ids:
            result = await _attempt(settings, delivery_id, now, claim.token)
            outcome[result] += 1


async def send_now(settings: Settings, viewer: Viewer, export_id: int) -> DeliveryOut:
    """The "send now" button: queue a delivery and make its first attempt at once."""
    delivery_id = await queue_delivery(viewer, export_id)
    claim = await claim_due(utcnow(), only=delivery_id)
    if claim.ids:
        await _attempt(settings, delivery_id, None, claim.token)
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
    return msgspec.convert(row, DeliveryOut)


async def _streamed_signature(secret: str, timestamp: int, export_id: int) -> str:
    """The signature over the export's bytes, read a chunk at a time (the body is then
    streamed again to the endpoint, so it is never whole in memory)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode(), hashlib.sha256)
    async for chunk in exports.stream_chunks(export_id):
        mac.update(chunk)
    return f"t={timestamp},v1={mac.hexdigest()}"


async def _attempt(settings: Settings, delivery_id: int, now: datetime | None, token: str) -> str:
    """One attempt of a claimed delivery: "delivered", "failed" (retried later), "dead", or
    "lost" when the claim was taken back meanwhile (nothing sent or recorded by this one)."""
    if not await _still_held(delivery_id, token):
        log.warning(
            "webhook delivery %s: its claim was taken back; not sent",
            delivery_id,
            extra={"delivery_id": delivery_id},
        )
        return "lost"
    row = (
        await WebhookDelivery.select(
            WebhookDelivery.all_columns(),
            WebhookDelivery.partner.webhook_secret.as_alias("secret"),
            WebhookDelivery.export.format.as_alias("format"),
            WebhookDelivery.export.sha256.as_alias("sha256"),
            WebhookDelivery.export.size_bytes.as_alias("size_bytes"),
        )
        .where(WebhookDelivery.id == delivery_id)
        .first()
    )
    assert row is not None
    stamp = int(time.time())
    headers = {
        "Content-Type": content_type(row["format"]),
        "Content-Length": str(row["size_bytes"]),
        "Idempotency-Key": row["idempotency_key"],
        "X-Incubator-Signature": await _streamed_signature(
            row["secret"] or "", stamp, row["export"]
        ),
        "X-Incubator-Export": str(row["export"]),
        "X-Incubator-Sha256": row["sha256"],
        "User-Agent": "cyberport-community-webhooks/1",
    }
    status_code: int | None = None
    error, dead = "", False
    try:
        destination = await outbound.resolve(row["url"], settings.webhook_allowed_hosts)
    except outbound.Unresolved as exc:
        error = str(exc)
    except outbound.Refused as exc:
        error, dead = f"refused: the endpoint {exc}", True  # no later attempt can change it
    else:
        status_code, error = await _post(settings, destination, row["export"], headers)
    attempts = row["attempts"] + 1
    moment = now or utcnow()
    if not error:
        values = {
            WebhookDelivery.status: "delivered",
            WebhookDelivery.delivered_at: utcnow(),
            WebhookDelivery.last_error: "",
        }
        result = "delivered"
    elif dead or attempts >= settings.webhook_max_attempts:
        values = {WebhookDelivery.status: "dead", WebhookDelivery.last_error: error}
        result = "dead"
        log.warning(
            "webhook delivery %s is dead after %s attempts: %s",
            delivery_id,
            attempts,
            error,
            extra={"delivery_id": delivery_id},
        )
    else:
        values = {
            WebhookDelivery.status: "pending",
            WebhookDelivery.next_attempt_at: moment + backoff(settings, attempts),
            WebhookDelivery.last_error: error,
        }
        result = "failed"
    values |= {WebhookDelivery.attempts: attempts, WebhookDelivery.last_status: status_code}
    async with write_transaction():
        recorded = (
            await WebhookDelivery.update(values | {WebhookDelivery.claim_token: None})
            .where(
                (WebhookDelivery.id == delivery_id)
                & (WebhookDelivery.status == "sending")
                & (WebhookDelivery.claim_token == token)
            )
            .returning(WebhookDelivery.id)
        )
    if not recorded:
        log.warning(
            "webhook delivery %s: its claim was taken back while sending; the new holder "
            "records the outcome",
            delivery_id,
            extra={"delivery_id": delivery_id},
        )
        return "lost"
    log.debug("webhook delivery %s %s", delivery_id, result, extra={"delivery_id": delivery_id})
    return result


async def _post(
    settings: Settings, destination: outbound.Destination, export_id: int, headers: dict
) -> tuple[int | None, str]:
    """(the answer's status, "" or why it failed): to the checked address, following no
    redirect, recording what the endpoint said by its status only, never its body."""
    extensions = {"sni_hostname": destination.sni_hostname} if destination.sni_hostname else {}
    try:
        async with httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        ) as client:
            response = await client.post(
                destination.url,
                content=exports.stream_chunks(export_id),
                headers=headers | {"Host": destination.host},
                extensions=extensions,
            )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200] or type(exc).__name__
    status = response.status_code
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"the endpoint answered {status}, a redirect: redirects are not followed"
    return status, f"the endpoint answered {status} {response.reason_phrase}".strip()


async def retry_dead(viewer: Viewer, delivery_id: int) -> int:
    """Partnership staff give a dead delivery another round of attempts; returns its partner."""
    await policy.require_partnership_staff(viewer, "retry webhook deliveries")
    updated = (
        await WebhookDelivery.update(
            {
                WebhookDelivery.status: "pending",
                WebhookDelivery.attempts: 0,
                WebhookDelivery.next_attempt_at: utcnow(),
            }
        )
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.status == "dead"))
        .returning(WebhookDelivery.partner)
    )
    if not updated:
        raise NotFound(f"there is no dead delivery {delivery_id}")
    return updated[0]["partner"]


async def list_deliveries(viewer: Viewer, partner_id: int) -> list[DeliveryOut]:
    await policy.require_partnership_staff(viewer, "see webhook deliveries")
    if not await PartnerPark.exists().where(PartnerPark.id == partner_id):
        raise NotFound(f"there is no partner park {partner_id}")
    rows = (
        await WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.export,
            WebhookDelivery.url,
            WebhookDelivery.idempotency_key,
            WebhookDelivery.status,
            WebhookDelivery.attempts,
            WebhookDelivery.next_attempt_at,
            WebhookDelivery.last_status,
            WebhookDelivery.last_error,
            WebhookDelivery.delivered_at,
            WebhookDelivery.created_at,
        )
        .where(WebhookDelivery.partner == partner_id)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(100)
    )
    return msgspec.convert(rows, list[DeliveryOut])


async def delivery_figures() -> list[Figure]:
    """For /metrics: webhook deliveries pending (and of those, retried after a failure),
    sending and dead, and how long the oldest due one has waited."""
    now = utcnow()
    rows = await WebhookDelivery.raw(
        "SELECT status, attempts > 0 AS retried, count(*) AS n FROM webhook_delivery "
        "WHERE status IN ('pending', 'sending', 'dead') GROUP BY 1, 2"
    )
    counts = {"pending": 0, "retried": 0, "sending": 0, "dead": 0}
    for row in rows:
        counts[row["status"]] += row["n"]
        if row["status"] == "pending" and row["retried"]:
            counts["retried"] += row["n"]
    return [
        Figure("webhook_deliveries", "webhook deliveries by state", n, {"state": state})
        for state, n in counts.items()
    ] + [await oldest_due(WebhookDelivery, "webhook deliveries", now)]
