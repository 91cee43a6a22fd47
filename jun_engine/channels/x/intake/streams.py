"""Which streams the daemon reads: every account's mentions, the DMs of DM-enabled accounts, and
the department accounts' own timelines."""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import PollStream


@dataclass(frozen=True, slots=True)
class StreamRef:
    """One (account, stream) a poller reads."""

    account_key: str
    account_id: str
    stream: PollStream
    app: str
    """The developer app the account's requests are signed with: its consumer key's variable."""

    def __str__(self) -> str:
        return f"{self.account_key}/{self.stream.value}"


def streams_of(config: Config) -> list[StreamRef]:
    """Every stream to poll, in accounts.yaml order: mentions first, then DMs."""
    streams: list[StreamRef] = []
    for key, account in config.accounts.items():
        app = account.consumer_key_env or config.x.app.consumer_key_env
        if account.poll_mentions:
            streams.append(StreamRef(key, account.user_id, PollStream.MENTIONS, app))
        if account.dm_access:
            streams.append(StreamRef(key, account.user_id, PollStream.DMS, app))
    return sorted(streams, key=lambda ref: ref.stream != PollStream.MENTIONS)


def timelines_of(config: Config) -> list[StreamRef]:
    """The department accounts whose own posts are followed, to see staff answer in threads."""
    town = config.town.account
    keys = dict.fromkeys(d.account for d in config.departments.values() if d.account != town)
    return [
        StreamRef(
            key,
            config.accounts[key].user_id,
            PollStream.TIMELINE,
            config.accounts[key].consumer_key_env or config.x.app.consumer_key_env,
        )
        for key in keys
    ]


def own_account_ids(config: Config) -> frozenset[str]:
    """The user ids of the engine's own accounts: what they write is never a resident's request."""
    return frozenset(account.user_id for account in config.accounts.values())
