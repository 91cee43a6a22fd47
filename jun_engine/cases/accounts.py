"""Who speaks for the case desk: which account acknowledges, notifies, escalates and may command.

All answers come from accounts.yaml; nothing here touches the database or the network.
"""

from __future__ import annotations

from collections.abc import Iterable

from jun_engine.config.schema import Config, Department
from jun_engine.domain.messages import Channel

ACCOUNTS_CHANNEL = Channel.X
"""The channel of accounts.yaml's `accounts` (their handles, user ids and tokens are X's)."""


def own_accounts(config: Config) -> frozenset[tuple[Channel, str]]:
    """Every account the town writes from, as (channel, user id): what they write is never a
    resident's request, and a DM from one of them to the town is a staff command."""
    return frozenset((ACCOUNTS_CHANNEL, account.user_id) for account in config.accounts.values())


def account_key_of(config: Config, user_id: str) -> str | None:
    """The key of the configured account with this X user id, or None."""
    return next((key for key, a in config.accounts.items() if a.user_id == user_id), None)


def account_name(config: Config, user_id: str) -> str:
    """A configured account as people read it, `@handle` (`x:<id>` for an account not in
    accounts.yaml)."""
    key = account_key_of(config, user_id)
    return "@" + config.accounts[key].handle if key is not None else f"x:{user_id}"


def user_id_of(config: Config, account_key: str) -> str:
    """The X user id of a configured account."""
    return config.accounts[account_key].user_id


def town_id(config: Config) -> str:
    """The town hall account's user id: it sends acknowledgements by DM and every notification."""
    return config.town_account().user_id


def department_id(config: Config, department: str) -> str:
    """The user id of a department's own account."""
    return user_id_of(config, config.departments[department].account)


def dm_sender(config: Config, preferred: str) -> str:
    """`preferred` if that account may send DMs, else the town account."""
    key = account_key_of(config, preferred)
    if key is not None and config.accounts[key].dm_access:
        return preferred
    return town_id(config)


def notification_recipient(config: Config, department: str) -> str | None:
    """Who hears of a department's new cases and digests: its account, or, when that is the
    town account itself (which cannot DM itself), its lead or first staff account."""
    dept = config.departments[department]
    candidates = [dept.account, dept.lead_account, *dept.staff_accounts]
    return _first_other_than_town(config, candidates)


def escalation_recipient(config: Config, department: str) -> str | None:
    """Who hears of a department's overdue cases: its lead, else `cases.escalation_account`."""
    dept = config.departments[department]
    return _first_other_than_town(config, [dept.lead_account, config.cases.escalation_account])


def staff_departments(config: Config, user_id: str) -> frozenset[str] | None:
    """The departments an account may command, or None if it may not command at all.

    A department's account, lead and staff accounts command that department; the triage desk's
    accounts and the escalation account command every department (they reroute what was
    misrouted)."""
    key = account_key_of(config, user_id)
    if key is None:
        return None
    everything = frozenset(config.departments)
    if key == config.cases.escalation_account:
        return everything
    mine = frozenset(name for name, dept in config.departments.items() if _staffs(dept, key))
    if any(config.departments[name].triage for name in mine):
        return everything
    return mine or None


def _staffs(dept: Department, key: str) -> bool:
    return key == dept.account or key == dept.lead_account or key in dept.staff_accounts


def _first_other_than_town(config: Config, keys: Iterable[str | None]) -> str | None:
    town = town_id(config)
    for key in keys:
        if key is not None and user_id_of(config, key) != town:
            return user_id_of(config, key)
    return None
