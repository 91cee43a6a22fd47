"""Who is who on the desk's screens: X user ids and post ids shown as @handles, never bare ids.

A handle comes from what the engine knows: the town's own accounts (accounts.yaml), a resident's
last seen handle, or the handle X gave with the newest message a user sent. An id nobody knows
is shown as `x:ID`, the form `residents show` accepts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel
from jun_engine.domain.residents import Identity
from jun_engine.residents.repository import handles_of
from jun_engine.store.tables import InboundMessageRow, OutboxRow


class People:
    """Handles for the user ids (and authors of the post ids) a screen is about to show."""

    def __init__(self, handles: dict[str, str], authors: dict[str, str]) -> None:
        self._handles = handles
        self._authors = authors

    @classmethod
    def load(
        cls,
        session: Session,
        config: Config,
        user_ids: Iterable[str | None] = (),
        post_ids: Iterable[str | None] = (),
    ) -> People:
        """Look up, in a few queries, everyone `user_ids` and the authors of `post_ids` name."""
        authors = _authors(session, {p for p in post_ids if p})
        wanted = {u for u in user_ids if u} | set(authors.values())
        handles = {a.user_id: a.handle for a in config.accounts.values()}
        handles |= _known_handles(session, wanted - set(handles))
        return cls(handles, authors)

    def user(self, user_id: str | None) -> str:
        """`@handle`, or `x:ID` when the handle is unknown, or `-`."""
        if not user_id:
            return "-"
        handle = self._handles.get(user_id)
        return f"@{handle}" if handle else f"x:{user_id}"

    def author_of(self, post_id: str | None) -> str:
        """Who wrote the post `post_id` (a reply's recipient), as `user()` shows them."""
        if not post_id:
            return "-"
        author = self._authors.get(post_id)
        return self.user(author) if author else f"post {post_id}"


def _authors(session: Session, post_ids: set[str]) -> dict[str, str]:
    if not post_ids:
        return {}
    found = dict(
        session.exec(
            select(InboundMessageRow.platform_id, InboundMessageRow.author_id).where(
                col(InboundMessageRow.platform_id).in_(post_ids)
            )
        ).all()
    )
    own = session.exec(
        select(OutboxRow.platform_id, OutboxRow.account_id).where(
            col(OutboxRow.platform_id).in_(post_ids - set(found))
        )
    ).all()
    return found | {post: account for post, account in own if post is not None}


def _known_handles(session: Session, user_ids: set[str]) -> dict[str, str]:
    """The handles the register or the newest messages give for these X user ids."""
    found = handles_of(session, [Identity(Channel.X, user_id) for user_id in user_ids])
    return {account.user_id: handle for account, handle in found.items()}
