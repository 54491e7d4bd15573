"""Quickstart: the SDK's main moves against a Retool instance (or a local fake: `make demo`).

    RETOOL_BASE_URL=https://acme.retool.com RETOOL_API_TOKEN=... python examples/quickstart.py

Paginated list, get, create (and find it in the list), a JSON-Patch update, a typed error
handled, a wrong argument refused before sending, and a retried 503.
"""

from __future__ import annotations

import asyncio
import uuid

import httpx

from retool_api_client import (
    JsonPatch,
    NotFoundError,
    PaginationError,
    RequestValidationError,
    RetoolClient,
    RetryConfig,
    RetryEvent,
)


def step(title: str) -> None:
    print(f"\n== {title}")


class FlakyOnce(httpx.AsyncBaseTransport):
    """A flaky network in front of the server: the first GET of a user gets a 503."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.tripped = inner, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.tripped and request.method == "GET" and "/users/" in request.url.path:
            self.tripped = True
            return httpx.Response(503, json={"success": False, "message": "Service Unavailable (simulated)"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def show_retry(event: RetryEvent) -> None:
    print(
        f"   retrying {event.method} {event.path}: attempt {event.attempt} got {event.reason}, "
        f"waiting {event.delay:.2f} s"
    )


async def main() -> None:
    async with RetoolClient() as retool:  # RETOOL_BASE_URL, RETOOL_API_TOKEN
        print(f"connected: {retool!r}")

        step("List users, page by page (retool.users.list)")
        pages = retool.users.list(page_size=2).pages()
        first_id, shown = None, 0
        try:
            async for page in pages:
                shown += 1
                for user in page.items:
                    first_id = first_id or user.id
                    print(f"   {user.id:<24} {user.email:<36} active={user.active}")
                print(
                    f"   -- page: {len(page.items)} items, total_count={page.total_count}, "
                    f"has_more={page.has_more}, next_token={page.next_token!r}"
                )
                if shown == 2:
                    print("   (two pages are enough here; the rest is never fetched)")
                    break
        except PaginationError as exc:  # a server handing back a cursor it already gave
            print(f"   stopped instead of looping: {exc}")
        finally:
            await pages.aclose()

        step("Get one user (retool.users.get)")
        one = await retool.users.get(first_id or "user_1234", include_groups=True)
        print(f"   {one.id}: {one.first_name} {one.last_name} <{one.email}>, type {one.user_type.value}")

        step("Create a user (retool.users.create)")
        created = await retool.users.create(email="ada@example.com", first_name="Ada", last_name="Lovelace")
        print(f"   created {created.id} <{created.email}>")

        step("Find it in the list, filtered by email (retool.users.list(email=...))")
        found = await retool.users.list(email=created.email).first_page()
        for user in found.items:
            print(f"   {user.id} <{user.email}> {user.first_name} {user.last_name}, active={user.active}")

        step("Update it with JSON Patch (retool.users.update)")
        patch = JsonPatch().replace("/first_name", "Augusta Ada").add(("metadata", "team/analytics"), True)
        for op in patch:
            print(f"   {op}")
        updated = await retool.users.update(created.id, patch)
        print(f"   now {updated.first_name} {updated.last_name}")

        step("A typed error, handled (404 -> NotFoundError)")
        try:
            # `Prefer: code=404` asks Prism for the documented 404; the fake and a real instance
            # answer 404 because there is no such workflow
            missing = uuid.UUID("00000000-0000-4000-8000-000000000000")
            await retool.with_options(headers={"Prefer": "code=404"}).workflows.get(missing)
        except NotFoundError as exc:
            print(f"   NotFoundError: status {exc.status_code}, message {exc.message!r}")

        step("A wrong argument, refused before anything is sent (checked against the spec)")
        try:
            await retool.users.create(email="ada.example.com", first_name="", last_name="Lovelace")
        except RequestValidationError as exc:
            for problem in exc.problems:
                print(f"   {problem}")

    step("A retried 503 (GET is idempotent, so the SDK retries it)")
    flaky = FlakyOnce(httpx.AsyncHTTPTransport())
    retry = RetryConfig(max_retries=2, backoff_base=0.2, backoff_cap=0.5)
    async with RetoolClient(transport=flaky, retry=retry, on_retry=show_retry) as retool:
        again = await retool.users.get(first_id or "user_1234")
        print(f"   then succeeded: {again.id} <{again.email}>")


if __name__ == "__main__":
    asyncio.run(main())
