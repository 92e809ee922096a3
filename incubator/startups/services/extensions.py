"""Extension points through which packages built on the start-up core add to its pages,
so that the core never imports them (incubator.startups <- centres <- events)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from incubator.auth.schemas import Viewer

ProfileSection = Callable[[Viewer, int], Awaitable[Any]]
_profile_sections: dict[str, ProfileSection] = {}


def add_profile_section(name: str, provider: ProfileSection) -> None:
    """`provider(viewer, startup_id)` gives the profile template the variable `name`."""
    _profile_sections[name] = provider


async def profile_sections(viewer: Viewer, startup_id: int) -> dict[str, Any]:
    return {
        name: await provider(viewer, startup_id) for name, provider in _profile_sections.items()
    }
