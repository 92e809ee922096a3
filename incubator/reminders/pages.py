"""Pages of the reminders: a person's inbox and which reminders they want; for
administrators, the upcoming reminders (a dry run), sent and failed ones, retries, and
"why was this not sent" for any recipient."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect

from incubator.reminders.services import engine, inbox, operators, outbox
from incubator.web import page, require_admin, signed_in


class InboxPages(Controller):
    path = "/inbox"
    include_in_schema = False

    @get("/")
    async def inbox(self, request: Request) -> Response:
        viewer = signed_in(request)
        return page("reminders/inbox.html", rows=await inbox.inbox(viewer.user_id))

    @post("/read")
    async def read_all(self, request: Request) -> Response:
        viewer = signed_in(request)
        await inbox.mark_read(viewer.user_id)
        return Redirect("/inbox", status_code=303)

    @post("/{ledger_id:int}/open")
    async def open(self, request: Request, ledger_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        await inbox.mark_read(viewer.user_id, ledger_id)
        rows = [r for r in await inbox.inbox(viewer.user_id) if r.id == ledger_id]
        return Redirect(rows[0].link if rows and rows[0].link else "/inbox", status_code=303)


class ReminderPreferencePages(Controller):
    path = "/account/reminders"
    include_in_schema = False

    @get("/")
    async def show(self, request: Request, message: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        role = viewer.role.value if viewer.role else ""
        return page(
            "reminders/preferences.html",
            sources=engine.sources_for(role),
            off=await inbox.opt_outs(viewer.user_id),
            message=message,
        )

    @post("/")
    async def save(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        wanted = {str(v) for v in form.getall("on", [])}
        role = viewer.role.value if viewer.role else ""
        shown = {s.name for s in engine.sources_for(role) if not s.essential}
        kept = await inbox.opt_outs(viewer.user_id) - shown  # those not on this person's list
        off = (shown - wanted) | kept
        await inbox.set_opt_outs(viewer.user_id, off)
        return Redirect("/account/reminders?message=saved", status_code=303)


class ReminderAdminPages(Controller):
    path = "/admin/reminders"
    include_in_schema = False

    @get("/")
    async def overview(
        self,
        request: Request,
        shown: Annotated[str, QueryParameter(name="state")] = "",
        source: FromQuery[str] = "",
        who: FromQuery[str] = "",
        page_number: Annotated[str, QueryParameter(name="page")] = "",
        message: FromQuery[str] = "",
    ) -> Response:
        """The ledger a state at a time (failed, waiting, sent, not sent, every state, or the
        next 30 days as a dry run), of one source and one person when chosen, 50 a page."""
        require_admin(request, "see the reminders")
        settings = request.app.state.settings
        counts = await operators.counts()
        sources = {s.name: s for s in engine.sources()}
        source = source if source in sources else ""
        state = shown  # Litestar keeps the name `state` for the app's state
        if state not in (*operators.STATES, "all", "upcoming"):
            state = next((s for s in ("dead", "pending") if counts[s]), "sent")
        number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
        if state == "upcoming":
            found = await engine.preview(settings, 30)
            if source:
                found = [r for r in found if r.source == source]
            if who.strip():
                keys, address = await operators.recipient_keys(who)
                found = [r for r in found if r.recipient in keys or r.address == address]
            per = operators.PER_PAGE
            rows, total = found[(number - 1) * per : number * per], len(found)
        else:
            rows, total = await operators.ledger_page(
                "" if state == "all" else state, source, who, number
            )
        return page(
            "reminders/admin.html",
            rows=rows,
            total=total,
            pages=max(1, -(-total // operators.PER_PAGE)),
            page_number=number,
            state=state,
            counts=counts,
            source=source,
            who=who,
            sources=sources,
            message=message,
        )

    @post("/{ledger_id:int}/retry")
    async def retry(self, request: Request, ledger_id: FromPath[int]) -> Response:
        require_admin(request, "retry reminders")
        await operators.retry_dead(ledger_id)
        return Redirect("/admin/reminders?message=retrying", status_code=303)


class OutboxPages(Controller):
    """The emails kept instead of sent while no SMTP server is configured (administrators)."""

    path = "/admin/outbox"
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, page_number: Annotated[str, QueryParameter(name="page")] = ""
    ) -> Response:
        require_admin(request, "read the outbox")
        number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
        rows, total = await outbox.messages(number)
        return page(
            "reminders/outbox.html",
            rows=rows,
            total=total,
            page_number=number,
            pages=max(1, -(-total // outbox.PER_PAGE)),
            smtp=request.app.state.settings.smtp_configured,
        )

    @get("/{message_id:int}")
    async def show(self, request: Request, message_id: FromPath[int]) -> Response:
        require_admin(request, "read the outbox")
        return page("reminders/outbox_message.html", m=await outbox.message(message_id))
