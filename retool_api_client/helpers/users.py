"""``retool.users`` helpers: finding a user by email, deactivating one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from .._exceptions import ConfigurationError
from .._types import UNSET, Unset

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator


class _HasEmail(Protocol):
    @property
    def email(self) -> str: ...


_U = TypeVar("_U", bound=_HasEmail)


class _Users(Protocol[_U]):
    """What these helpers call on ``retool.users`` (the generated methods)."""

    def list(self, *, email: str | Unset = UNSET) -> AsyncPaginator[_U]: ...

    async def update(self, user_id: str, *, active: bool | Unset = UNSET) -> _U: ...


class UsersHelpers:
    async def find_by_email(self: _Users[_U], email: str) -> _U | None:
        """The user whose email is ``email`` (compared without regard to case), or None.

        ``GET /users?email=...``: Retool's filter is what narrows the list; only an exact match
        is returned, so a filter that also matches ``ada@example.com.au`` cannot hand back the
        wrong person. Raises ``ConfigurationError`` before any request for an email that is not
        a non-empty string."""
        if not isinstance(email, str) or "@" not in email or email != email.strip():
            raise ConfigurationError(f"email must be an address such as 'ada@example.com', got {email!r}")
        wanted = email.casefold()
        async for user in self.list(email=email):
            if user.email.casefold() == wanted:
                return user
        return None

    async def deactivate(self: _Users[_U], user_id: str) -> _U:
        """Deactivate a user (``PATCH /users/{userId}``, ``active`` replaced by false) and return
        the user as the server now has it. Their groups and data stay; ``retool.users.delete``
        is what removes them from the organization."""
        return await self.update(user_id, active=False)
