"""Who self-service is talking to: the language to answer in, and whether the account written to
is a chat (a LINE official account: every message private, a home screen under the chat).

The language is, in order: the one the message is written in (when it shows), the resident's
own (set at enrolment), the language of the chat account written to (`line.accounts.*.language`),
the town's default. A language counts when the town speaks it (`town.languages`) or a chat
account of the town is set to it.
"""

from __future__ import annotations

from jun_engine.config.schema import Config, LineAccount


def chat_account(config: Config, account_id: str) -> LineAccount | None:
    """The town's chat account whose user id is `account_id`, if it is one."""
    if config.line is None:
        return None
    return next(
        (a for a in config.line.accounts.values() if a.bot_user_id == account_id),
        None,
    )


def answer_language(
    config: Config, written: str | None, resident: str | None, account_id: str
) -> str:
    """The language to answer in (see the module's docstring)."""
    spoken = set(config.town.languages)
    account = chat_account(config, account_id)
    if config.line is not None:
        spoken |= {a.language for a in config.line.accounts.values() if a.language}
    chat = account.language if account is not None else None
    return next(
        (language for language in (written, resident, chat) if language in spoken),
        config.town.default_language,
    )
