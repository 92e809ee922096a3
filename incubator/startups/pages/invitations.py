"""Accepting an invitation to a start-up's team: a new account, or an existing one added."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from incubator.auth.pages import sign_in
from incubator.errors import ValidationFailed
from incubator.startups.services import invitations
from incubator.web import page


class InvitationPages(Controller):
    path = "/invitations"
    include_in_schema = False

    @get("/{token:str}")
    async def show(self, token: FromPath[str]) -> Response:
        invitation = await invitations.open_invitation(token)
        return page(
            "auth/invitation.html",
            invitation=invitation,
            token=token,
            errors={},
            values={"name": invitation.name},
        )

    @post("/{token:str}")
    async def accept(self, request: Request, token: FromPath[str]) -> Response:
        form = await request.form()
        name, password = str(form.get("name") or ""), str(form.get("password") or "")
        try:
            startup_id, user_id = await invitations.accept_invitation(token, name, password)
        except ValidationFailed as exc:
            # The refused acceptance rolled back, so the invitation is still open to show.
            return page(
                "auth/invitation.html",
                422,
                invitation=await invitations.open_invitation(token),
                token=token,
                errors=exc.errors,
                values={"name": name},
            )
        return await sign_in(request, user_id, f"/startups/{startup_id}?message=welcome")
