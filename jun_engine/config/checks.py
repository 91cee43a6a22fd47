"""Checks across fields the schema cannot see: references, uniqueness, one triage desk, hours."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from jun_engine.config.leaks import shown
from jun_engine.config.problems import Problem, Severity, suggestion
from jun_engine.config.schema import SERVER_KEYS, Config, KeywordsByLanguage
from jun_engine.config.source import FieldPath, SourceMap, format_path
from jun_engine.places.districts import DistrictsError, read_districts, unmatched

Check = Callable[[Config, SourceMap], Iterator[Problem]]


def cross_checks(config: Config, source: SourceMap) -> list[Problem]:
    """Every cross-field problem of a config that passed the schema."""
    return [problem for check in CHECKS for problem in check(config, source)]


def account_references(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Every account key named anywhere is defined under `accounts`."""
    for path, key in _account_references(config):
        if key not in config.accounts:
            hint = suggestion(key, config.accounts, known="accounts defined")
            yield source.problem(path, f"unknown account {shown(key)}{hint}")


def _account_references(config: Config) -> Iterator[tuple[FieldPath, str]]:
    yield ("town", "account"), config.town.account
    for key, dept in config.departments.items():
        yield ("departments", key, "account"), dept.account
        if dept.lead_account is not None:
            yield ("departments", key, "lead_account"), dept.lead_account
        for index, staff in enumerate(dept.staff_accounts):
            yield ("departments", key, "staff_accounts", index), staff
    for key, school in config.schools.items():
        yield ("schools", key, "account"), school.account
    optional = {
        ("cases", "escalation_account"): config.cases.escalation_account,
        ("notices", "default_account"): config.notices.default_account,
        ("air_quality", "account"): config.air_quality.account,
    }
    yield from ((path, key) for path, key in optional.items() if key is not None)


def external_body_references(config: Config, source: SourceMap) -> Iterator[Problem]:
    """A category's `external_body` is defined under `external_bodies`."""
    for dept_key, dept in config.departments.items():
        for cat_key, category in dept.categories.items():
            body = category.external_body
            if body is not None and body not in config.external_bodies:
                hint = suggestion(body, config.external_bodies, known="external bodies defined")
                hint = hint or " (define it under external_bodies)"
                path = ("departments", dept_key, "categories", cat_key, "external_body")
                yield source.problem(path, f"unknown external body {shown(body)}{hint}")


def unique_identities(config: Config, source: SourceMap) -> Iterator[Problem]:
    """No two accounts or external bodies share a handle (ignoring case) or a user id."""
    handles = [
        ((section, key, "handle"), handle.casefold())
        for section, key, handle, _ in _identities(config)
    ]
    for path, first in _repeats(handles):
        yield source.problem(
            path, f"this handle is already used by {format_path(first[:-1])} (ignoring case)"
        )
    ids = [
        ((section, key, "user_id"), user_id)
        for section, key, _, user_id in _identities(config)
        if user_id is not None
    ]
    for path, first in _repeats(ids):
        yield source.problem(path, f"this user id is already used by {format_path(first[:-1])}")


def _repeats(items: Iterable[tuple[FieldPath, str]]) -> Iterator[tuple[FieldPath, FieldPath]]:
    seen: dict[str, FieldPath] = {}
    for path, value in items:
        first = seen.setdefault(value, path)
        if first != path:
            yield path, first


def _identities(config: Config) -> Iterator[tuple[str, str, str, str | None]]:
    for key, account in config.accounts.items():
        yield "accounts", key, account.handle, account.user_id
    for key, body in config.external_bodies.items():
        yield "external_bodies", key, body.handle, body.user_id


def one_triage_desk(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Exactly one department receives what the router is unsure of."""
    desks = [key for key, dept in config.departments.items() if dept.triage]
    if not desks:
        yield source.problem(
            ("departments",),
            "no department has 'triage: true'; mark exactly one, the desk that receives "
            "what the router is unsure of",
            at="key",
        )
    for extra in desks[1:]:
        yield source.problem(
            ("departments", extra, "triage"),
            f"only one department may have 'triage: true', and {desks[0]!r} has it already",
        )


def dm_notifications(config: Config, source: SourceMap) -> Iterator[Problem]:
    """A department notified by DM has someone to DM other than the town account, and the town
    account (which sends the DM) may send DMs."""
    town = config.accounts.get(config.town.account)
    for key, dept in config.departments.items():
        if not dept.notify_by_dm or town is None:
            continue
        path = ("departments", key, "notify_by_dm")
        if not town.dm_access:
            yield source.problem(
                path,
                f"the town account {shown(config.town.account)} sends these DMs but has no "
                "'dm_access: true'; grant it, or drop notify_by_dm (the digest and the web desk "
                "still reach the department)",
            )
        candidates = [dept.account, dept.lead_account, *dept.staff_accounts]
        others = [c for c in candidates if c in config.accounts and c != config.town.account]
        if not others:
            yield source.problem(
                path,
                "the department's accounts are all the town account, which cannot DM itself; "
                "give it an account, a lead_account or staff_accounts of its own",
            )


def languages(config: Config, source: SourceMap) -> Iterator[Problem]:
    """The default language is one of the town's languages; keywords use the town's languages."""
    town = config.town
    if town.default_language not in town.languages:
        yield source.problem(
            ("town", "default_language"),
            f"{town.default_language!r} is not one of town.languages ({', '.join(town.languages)})",
        )
    for path, keywords in _keyword_lists(config):
        for language in keywords:
            if language not in town.languages:
                yield source.problem(
                    (*path, language),
                    f"keywords in {language!r}, which is not one of town.languages "
                    f"({', '.join(town.languages)}); add it there or drop these keywords",
                    Severity.WARNING,
                    at="key",
                )


def _keyword_lists(config: Config) -> Iterator[tuple[FieldPath, KeywordsByLanguage]]:
    for key, dept in config.departments.items():
        yield ("departments", key, "keywords"), dept.keywords
        for cat_key, category in dept.categories.items():
            yield ("departments", key, "categories", cat_key, "keywords"), category.keywords
    for key, body in config.external_bodies.items():
        yield ("external_bodies", key, "keywords"), body.keywords


def opening_hours(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Every opening range ends after it starts (a range cannot cross midnight)."""
    for key, dept in config.departments.items():
        for day, ranges in dept.hours.items():
            for index, text in enumerate(ranges):
                start, end = text.split("-")
                if end <= start:
                    yield source.problem(
                        ("departments", key, "hours", day, index),
                        f"the range {text!r} ends before it starts; a range cannot cross "
                        "midnight, so split '22:00-06:00' into '22:00-24:00' and '00:00-06:00'",
                    )


def age_groups(config: Config, source: SourceMap) -> Iterator[Problem]:
    """An age group's minimum is not above its maximum."""
    for key, group in config.notices.age_groups.items():
        if group.min_age > group.max_age:
            yield source.problem(
                ("notices", "age_groups", key, "min_age"),
                f"min_age {group.min_age} is above max_age {group.max_age}",
            )


def air_quality_place(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Air-quality forecasts need the town's coordinates."""
    if config.air_quality.enabled and config.town.coordinates is None:
        yield source.problem(
            ("air_quality", "enabled"),
            "air-quality forecasts need town.coordinates (latitude and longitude)",
        )


def rubbish_districts(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Rubbish collection names districts the town lists (when it lists any)."""
    districts = config.town.districts
    for district in config.notices.rubbish_collection:
        if districts and district not in districts:
            yield source.problem(
                ("notices", "rubbish_collection", district),
                f"district {shown(district)} is not in town.districts"
                f"{suggestion(district, districts, known='districts')}",
                Severity.WARNING,
                at="key",
            )


def appointment_books(config: Config, source: SourceMap) -> Iterator[Problem]:
    """Each book belongs to a department that has hours, its ranges run forward, and the
    department's account can send the DMs bookings need (else the town account does)."""
    for key, book in config.appointments.items():
        if key not in config.departments:
            hint = suggestion(key, config.departments, known="departments")
            yield source.problem(
                ("appointments", key), f"unknown department {key!r}{hint}", at="key"
            )
            continue
        if not book.hours and not config.departments[key].hours:
            yield source.problem(
                ("appointments", key),
                "no hours: give the book its own `hours` or the department opening hours",
                at="key",
            )
        for day, ranges in book.hours.items():
            for index, text in enumerate(ranges):
                start, end = text.split("-")
                if end <= start:
                    yield source.problem(
                        ("appointments", key, "hours", day, index),
                        f"the range {text!r} ends before it starts",
                    )


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
"""SMTP hosts on this machine: the only ones a password may be sent to without TLS."""


def mail_server(config: Config, source: SourceMap) -> Iterator[Problem]:
    """The town's SMTP server: its login names both variables or neither, and a password
    never crosses the network unencrypted."""
    server = config.mail_server()
    if server is None:
        return
    path = config.mail_server_path()
    given = [name for name in ("username_env", "password_env") if getattr(server, name)]
    if len(given) == 1:
        other = "password_env" if given[0] == "username_env" else "username_env"
        yield source.problem((*path, given[0]), f"give {other} too (a login needs both)")
    elif given and server.security == "none" and server.host.lower() not in LOCAL_HOSTS:
        yield source.problem(
            (*path, "security"),
            "a password would cross the network unencrypted: use 'starttls' or 'ssl' "
            "('none' only for a relay on this machine)",
        )


def report_email(config: Config, source: SourceMap) -> Iterator[Problem]:
    """The report has one server to go through (the town's `smtp`, or its own in the older
    form, never both), a From address, and a language it can be written in."""
    email = config.reports.email
    if email is None:
        return
    path = ("reports", "email")
    if config.smtp is not None:
        for key in SERVER_KEYS:
            if key in email.model_fields_set:
                yield source.problem(
                    (*path, key),
                    f"the town's SMTP server is under `smtp`: drop reports.email.{key} "
                    "(one server for every e-mail)",
                    at="key",
                )
    elif email.smtp_host is None:
        yield source.problem(
            path,
            "no SMTP server to send it through: add a top-level `smtp` section "
            "(host, port, security, from; docs/configuration.md)",
            at="key",
        )
    elif email.sender is None:
        yield source.problem(path, "give `from`, the address the report is sent from", at="key")
    language = email.language
    if language is not None and language not in config.town.languages:
        yield source.problem(
            (*path, "language"),
            f"{shown(language)} is not one of the town's languages "
            f"({', '.join(config.town.languages)})",
        )


def department_email(config: Config, source: SourceMap) -> Iterator[Problem]:
    """A department with e-mail addresses has a server to send through and a web desk address
    for the link each e-mail carries (the e-mail itself carries no personal data)."""
    needs = []
    if config.mail_server() is None:
        needs.append(
            "no SMTP server to send it through: add a top-level `smtp` section "
            "(host, port, security, from; docs/configuration.md)"
        )
    if config.web.url is None:
        needs.append(
            "the e-mails link each case on the web desk: set web.url, the desk's address "
            "as staff open it (https://desk.example.org)"
        )
    for key in config.emailed_departments() if needs else ():
        yield source.problem(("departments", key, "email"), "; ".join(needs))


def districts_map(config: Config, source: SourceMap) -> Iterator[Problem]:
    """`town.districts_geojson` is a readable GeoJSON file of named polygons whose names are
    the districts of `town.districts`."""
    name = config.town.districts_geojson
    if name is None:
        return
    path = ("town", "districts_geojson")
    file = Path(source.file).parent / name
    if not file.is_file():
        yield source.problem(path, f"no GeoJSON file at {shown(str(file))}")
        return
    try:
        districts = read_districts(file)
    except DistrictsError as exc:
        yield source.problem(path, str(exc))
        return
    sentences = list(unmatched(districts, config.town.districts))
    if sentences:
        yield source.problem(path, "; ".join(sentences))


CHECKS: tuple[Check, ...] = (
    account_references,
    external_body_references,
    unique_identities,
    one_triage_desk,
    dm_notifications,
    languages,
    opening_hours,
    age_groups,
    air_quality_place,
    rubbish_districts,
    appointment_books,
    mail_server,
    report_email,
    department_email,
    districts_map,
)
