"""The accounts.yaml schema: every key a town can write, validated with pydantic.

Cross-references (a department naming an account, a school naming an account...) are checked by
`jun_engine.config.checks`, which reports every dangling reference at once with its path.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

# --- scalar types ------------------------------------------------------------------------------

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""An identifier the town chooses for an account, department, category, school or topic."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
"""An ISO 639-1 language code: es, en, th..."""

Handle = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,15}$")]
"""An X handle without the @."""


def _id_to_str(value: object) -> object:
    # YAML reads an unquoted id as an int; X ids are strings on the wire.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


XUserId = Annotated[str, BeforeValidator(_id_to_str), StringConstraints(pattern=r"^[0-9]{1,19}$")]
"""A numeric X user id (never a handle: handles change, ids do not)."""

EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]{0,127}$")]
"""The NAME of an environment variable that holds a secret; never the secret itself."""

Hashtag = Annotated[str, StringConstraints(pattern=r"^#\w{1,100}$")]
"""A hashtag with its #, in any script (#resuelto, #EndesaMeEstresa, #ไฟดับ)."""

ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A local time of day, HH:MM."""

TimeRange = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$"),
]
"""A local opening range, HH:MM-HH:MM."""

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SCHOOL_WEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
Pollutant = Literal["pm2_5", "pm10", "nitrogen_dioxide", "ozone"]
Privacy = Literal["public", "private"]
Intent = Literal[
    "complaint", "question", "appointment", "police_report", "suggestion", "thanks", "emergency"
]

OPEN_INTENTS: tuple[Intent, ...] = ("emergency", "police_report")

_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$")


def parse_duration(value: object) -> timedelta:
    """Read '90m', '4h', '2d', '1d 12h' (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match and any(match.groups()):
            days, hours, minutes = (int(g) if g else 0 for g in match.groups())
            return timedelta(days=days, hours=hours, minutes=minutes)
    raise ValueError("expected a duration such as '30m', '4h', '2d' or '1d 12h'")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]

LocalizedText = dict[LanguageCode, str]
"""The same text in several languages: {es: ..., en: ..., th: ...}."""

KeywordsByLanguage = dict[LanguageCode, list[str]]
"""Words or phrases per language, matched after accent and case folding (and stemming)."""


MAX_TEXT = 10_000
"""The longest text any field holds (an instant answer, a notice's wording; hostile text of 10,000
characters is kept exactly); a longer one is a pasted file or an attack, refused with its line."""


class Strict(BaseModel):
    """Every section refuses keys it does not know, so a typo is an error, not a silent default;
    no text in it is longer than `MAX_TEXT`."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, str_max_length=MAX_TEXT
    )


# --- X ----------------------------------------------------------------------------------------


class XApp(Strict):
    """The developer app's keys, shared by every account unless an account names its own."""

    consumer_key_env: EnvVarName
    consumer_secret_env: EnvVarName
    bearer_token_env: EnvVarName | None = None


class Pricing(Strict):
    """Pay-per-use prices in USD (FACTS.md, 2026): reads per resource, writes per request."""

    post_read: float = Field(0.005, ge=0)
    user_read: float = Field(0.010, ge=0)
    dm_event_read: float = Field(0.010, ge=0)
    owned_read: float = Field(0.001, ge=0)
    post_create: float = Field(0.015, ge=0)
    post_create_with_url: float = Field(0.200, ge=0)
    summoned_reply: float = Field(0.010, ge=0)
    dm_create: float = Field(0.015, ge=0)
    post_delete: float = Field(0.010, ge=0)


class XSettings(Strict):
    """How the engine reaches X and what it may spend there."""

    app: XApp
    pricing: Pricing = Pricing()
    daily_spend_cap_usd: float = Field(5.0, ge=0)
    owns_app: bool = True
    """The town owns the developer app, so its accounts' own mentions and posts are owned reads."""


class Account(Strict):
    """An X account the engine acts for: the town's or a department's."""

    handle: Handle
    user_id: XUserId
    display_name: str | None = None
    access_token_env: EnvVarName
    access_token_secret_env: EnvVarName
    consumer_key_env: EnvVarName | None = None
    """Only when this account belongs to another developer app than `x.app`."""
    consumer_secret_env: EnvVarName | None = None
    dm_access: bool = False
    """The account's token may read and send DMs (OAuth scope dm.read/dm.write)."""
    poll_mentions: bool = True


# --- LINE -------------------------------------------------------------------------------------

LineChannelId = Annotated[
    str, BeforeValidator(_id_to_str), StringConstraints(pattern=r"^[0-9]{6,12}$")
]
"""A LINE Messaging API channel id (numeric, from the LINE Developers console)."""

LineUserId = Annotated[str, StringConstraints(pattern=r"^U[0-9a-f]{32}$")]
"""A LINE user id: U and 32 hex digits (an official account's own is its webhooks' destination)."""

LinePlan = Literal["free", "light", "standard", "th_free", "th_basic", "th_pro", "unlimited"]
"""The official account's plan (FACTS.md): how many pushed messages a month are included."""

PLAN_QUOTAS: dict[str, int | None] = {
    "free": 200,
    "light": 5_000,
    "standard": 30_000,
    "th_free": 300,
    "th_basic": 15_000,
    "th_pro": 35_000,
    "unlimited": None,
}
"""Messages a month included in each plan (None: no cap, Japan's plan for local governments)."""

LineArea = Annotated[
    str,
    StringConstraints(
        pattern=r"^(jp_(0[1-9]|[1-3][0-9]|4[0-7])|tw_(0[1-9]|1[0-9]|2[0-2])|th_0[1-8]|id_(0[1-9]|1[0-2]))$"
    ),
]
"""A region LINE's demographic narrowcast knows (`jp_40` Fukuoka, `th_05` Southern Thailand)."""

WebhookPath = Annotated[str, StringConstraints(pattern=r"^/[a-z0-9_/-]{1,100}$")]
"""Where, on the engine's webhook server, LINE posts this channel's events."""

RichMenuAction = Literal[
    "report", "my_cases", "school_menu", "appointments", "air_quality", "verify"
]
"""What a rich-menu area does (the home screen a resident sees under the chat)."""

ALL_RICH_MENU_ACTIONS: tuple[RichMenuAction, ...] = (
    "report",
    "my_cases",
    "school_menu",
    "appointments",
    "air_quality",
    "verify",
)


class LineWebhookServer(Strict):
    """The engine's webhook server (part of `jun-engine run`): where LINE posts events."""

    host: str = "127.0.0.1"
    port: int = Field(8090, ge=1, le=65535)
    max_body_bytes: int = Field(1_000_000, ge=1_000, le=50_000_000)
    """A larger body is refused with 413 before it is read whole."""


class LineAccount(Strict):
    """A LINE official account (a Messaging API channel) the engine acts for."""

    channel_id: LineChannelId
    bot_user_id: LineUserId
    """The account's own user id: the `destination` of its webhooks."""
    display_name: str | None = None
    channel_secret_env: EnvVarName
    """The NAME of the variable holding the channel secret (webhook signatures)."""
    access_token_env: EnvVarName
    """The NAME of the variable holding the long-lived channel access token."""
    plan: LinePlan = "free"
    monthly_quota_cap: int | None = Field(None, ge=0)
    """Pushed messages the town lets the engine spend a month (default: the plan's)."""
    quota_warning_share: float = Field(0.8, gt=0, le=1)
    """Warn the town once this share of the month's quota is spent."""
    webhook_path: WebhookPath = "/line/webhook"
    language: LanguageCode | None = None
    """The language its residents write in most (default: the town's)."""
    rich_menu: list[RichMenuAction] = Field(
        default_factory=lambda: list(ALL_RICH_MENU_ACTIONS), max_length=6
    )
    """The home screen's areas, in order (at most six)."""
    area: LineArea | None = None
    """The town's region as LINE's narrowcast knows it: a notice to an age band reaches the
    account's friends there only (None: wherever they are)."""

    def quota_cap(self) -> int | None:
        """The month's cap in force: the town's own, else the plan's (None: no cap)."""
        if self.monthly_quota_cap is not None:
            return self.monthly_quota_cap
        return PLAN_QUOTAS[self.plan]


class LineSettings(Strict):
    """How the engine reaches LINE: its official accounts and the webhook server."""

    webhook: LineWebhookServer = LineWebhookServer()
    accounts: dict[Key, LineAccount] = Field(min_length=1)
    photo_max_bytes: int = Field(10_000_000, ge=10_000, le=100_000_000)
    """A photo larger than this is not kept (the resident is told)."""
    media_dir: str = "media"
    """Where photos are kept, outside the database (relative to accounts.yaml's folder)."""


# --- the town and its departments --------------------------------------------------------------


class Coordinates(Strict):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Town(Strict):
    """The town itself: name, clock, languages, districts and its own account."""

    name: str = Field(min_length=1)
    account: Key
    """The key (under `accounts`) of the town hall's main account."""
    timezone: str = "Europe/Madrid"
    default_language: LanguageCode = "es"
    languages: list[LanguageCode] = Field(default_factory=lambda: ["es", "en", "th"])
    districts: list[str] = Field(default_factory=list)
    holidays: list[date] = Field(default_factory=list)
    coordinates: Coordinates | None = None
    districts_geojson: str | None = None
    """The districts drawn as GeoJSON polygons (a file, relative to accounts.yaml's folder): a
    map pin's district, and the analytics map."""
    verification_office: LocalizedText = Field(default_factory=dict)
    """Where and when residents verify their account in person."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as 'Europe/Madrid')"
            ) from exc
        return value


Attachment = Literal["photo", "location"]
"""What a report can come with besides its text: a photo, a map pin."""

OpeningHours = dict[Weekday, list[TimeRange]]
"""Per weekday, the open ranges; a day not listed is closed."""


EmailAddress = Annotated[
    str, StringConstraints(pattern=r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
]
"""A plain e-mail address (name@example.org), without a display name."""

SmtpSecurity = Literal["starttls", "ssl", "none"]
"""How the connection to the SMTP server is protected: STARTTLS (port 587), TLS from the first
byte (port 465), or nothing (a relay on this machine only)."""


class Sla(Strict):
    """Response-time targets, counted in the department's opening hours."""

    first_response: Duration = timedelta(hours=8)
    resolution: Duration = timedelta(days=5)


AttributeType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
"""An Open311 service attribute's datatype (GeoReport v2, service definitions)."""


class ServiceAttribute(Strict):
    """One more question a category asks of an Open311 client (its service definition)."""

    code: Key
    description: LocalizedText
    datatype: AttributeType = "string"
    required: bool = False
    datatype_description: LocalizedText = Field(default_factory=dict)
    values: dict[Key, LocalizedText] = Field(default_factory=dict)
    """For the list datatypes: each value's key and its name."""


class Category(Strict):
    """One kind of request a department handles (a broken streetlight, a pothole...)."""

    name: LocalizedText
    keywords: KeywordsByLanguage = Field(default_factory=dict)
    hashtags: list[Hashtag] = Field(default_factory=list)
    privacy: Privacy | None = None
    """Overrides the department's privacy (a police tip is private even if the police is not)."""
    external_body: Key | None = None
    """The outside body responsible (key under `external_bodies`), tagged on incidents."""
    attributes: list[ServiceAttribute] = Field(default_factory=list)
    """What an Open311 client must ask besides the description (`metadata: true`)."""
    needs: list[Attachment] = Field(default_factory=list)
    """What a report of this kind should come with (a photo, a map pin): on a channel that can
    send them (LINE), the acknowledgement asks for what is missing with quick replies."""


class Department(Strict):
    """A department: its account, what it handles, when it is open and how fast it answers."""

    name: LocalizedText
    account: Key
    lead_account: Key | None = None
    """Escalations for overdue cases go to this account (default: the town account)."""
    staff_accounts: list[Key] = Field(default_factory=list)
    """Further accounts (besides `account`) allowed to send staff commands for this department."""
    notify_by_dm: bool = False
    """Also tell the department of each new case by a DM from the town account (spending the
    town's DM budget). Without it, a public case's acknowledgement mentions the department's
    account, and every case reaches it in the daily digest and on the web desk (and a private
    one by e-mail, with `email`)."""
    email: list[EmailAddress] = Field(default_factory=list, max_length=20)
    """Addresses that hear of each new private case and get the daily digest by e-mail (from
    the town's `smtp` server) instead of a DM from the town; no personal data is in either."""
    privacy: Privacy = "public"
    triage: bool = False
    """The desk that receives what the router is unsure of. Exactly one department has it."""
    keywords: KeywordsByLanguage = Field(default_factory=dict)
    hashtags: list[Hashtag] = Field(default_factory=list)
    categories: dict[Key, Category] = Field(default_factory=dict)
    hours: OpeningHours = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)
    sla: Sla = Sla()


class ExternalBody(Strict):
    """An outside body residents complain about (the power utility): tagged, never routed to."""

    name: str = Field(min_length=1)
    handle: Handle
    user_id: XUserId | None = None
    keywords: KeywordsByLanguage = Field(default_factory=dict)
    hashtags: list[Hashtag] = Field(default_factory=list)


# --- engine behaviour ------------------------------------------------------------------------


class StrangerAnswers(Strict):
    """Bounds on what the engine says to accounts that are not verified residents (how to verify,
    a wrong code, a lockout): whoever controls many accounts cannot spend the town's DMs.

    X lets one account send 15 DMs in 15 minutes (60 an hour) and an app 1,440 a day; the
    defaults keep strangers to a fifth of an account's hour and a fourteenth of the app's day.
    """

    per_sender: int = Field(2, ge=0, le=20)
    """At most this many answers to one account within `sender_window`; then silence."""
    sender_window: Duration = timedelta(hours=1)
    per_hour: int = Field(12, ge=0, le=60)
    """At most this many answers to strangers, all accounts together, in any hour."""
    per_day: int = Field(100, ge=0, le=1440)
    """... and in any 24 hours."""
    expire_after: Duration = timedelta(hours=1)
    """An answer not sent by then (residents' answers go first) is never sent."""


class Verification(Strict):
    """How residents verify their X account, and who is served without it."""

    code_ttl: Duration = timedelta(hours=72)
    code_length: int = Field(8, ge=6, le=12)
    max_failed_attempts: int = Field(5, ge=1, le=100)
    lockout: Duration = timedelta(hours=1)
    instructions_interval: Duration = timedelta(days=1)
    """At most one 'how to verify' reply per unverified account in this period."""
    open_to_anyone: list[Intent] = Field(default_factory=lambda: list(OPEN_INTENTS))
    """Intents accepted from unverified accounts too."""
    stranger_answers: StrangerAnswers = StrangerAnswers()


class Routing(Strict):
    """How requests are routed to departments."""

    confidence_threshold: float | None = Field(None, ge=0, le=1)
    """Below it, a request goes to the triage desk. None (the default): the trained model's
    `suggested_threshold`, or the day-one default without a model file (routing/setup.py)."""
    model: str | None = None
    """Path of a trained model file (relative to accounts.yaml); none means rules and seed set."""
    incident_window: Duration = timedelta(hours=2)
    incident_min_reports: int = Field(5, ge=2)


class Cases(Strict):
    """Case references, closing words and surveys."""

    reference_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}$")] = "JUN"
    resolved_hashtags: list[Hashtag] = Field(
        default_factory=lambda: ["#resuelto", "#resolved", "#แก้ไขแล้ว"]
    )
    escalation_account: Key | None = None
    """Who hears about overdue cases when the department has no lead (the mayor, say)."""
    satisfaction_survey: bool = True
    digest_time: ClockTime = "08:00"
    """Each department's daily digest goes at the first desk tick from this local time on."""


class School(Strict):
    """A school that posts its lunch menus from its own account."""

    name: str = Field(min_length=1)
    account: Key
    menu_time: ClockTime = "08:00"
    school_days: list[Weekday] = Field(default_factory=lambda: list(SCHOOL_WEEK))
    holidays: list[date] = Field(default_factory=list)
    hashtags: list[Hashtag] = Field(default_factory=list)


class AgeGroup(Strict):
    min_age: int = Field(0, ge=0, le=130)
    max_age: int = Field(130, ge=0, le=130)


class CouncilMeeting(Strict):
    """One plenary meeting of the town council, as announced (local date and time)."""

    day: date
    time: ClockTime = "19:00"
    place: LocalizedText = Field(default_factory=dict)


class AppointmentBook(Strict):
    """Appointments a department lets residents book by DM (self-service; docs/selfservice.md)."""

    slot_minutes: int = Field(15, ge=5, le=480)
    capacity: int = Field(1, ge=1, le=100)
    """Residents one slot takes (two doctors seeing patients at once: 2)."""
    hours: OpeningHours = Field(default_factory=dict)
    """When slots run, per weekday; empty means the department's opening hours."""
    closures: list[date] = Field(default_factory=list)
    """Days without appointments, on top of the town's and the department's holidays."""
    max_future_bookings: int = Field(1, ge=1, le=20)
    offer_count: int = Field(3, ge=1, le=9)
    """How many free slots one offer lists."""
    horizon_days: int = Field(14, ge=1, le=120)
    """How far ahead slots are offered."""
    min_notice: Duration = timedelta(hours=1)
    """The earliest slot offered is at least this far from now."""
    reminder_time: ClockTime = "18:00"
    """The reminder DM goes out the day before, at this local time."""
    conversation_ttl: Duration = timedelta(hours=24)
    """An offer not answered within this is forgotten."""


class Notices(Strict):
    """What residents can opt in to, and the town facts notices and instant answers draw on."""

    topics: dict[Key, LocalizedText] = Field(default_factory=dict)
    age_groups: dict[Key, AgeGroup] = Field(default_factory=dict)
    rubbish_collection: dict[str, list[Weekday]] = Field(default_factory=dict)
    """District name -> collection days."""
    default_account: Key | None = None
    """Which account posts notices when a notice names none (default: the town account)."""
    council_meetings: list[CouncilMeeting] = Field(default_factory=list)
    """Scheduled plenary meetings, for the instant answer to "when is the next council meeting"."""


class Open311(Strict):
    """The town's Open311 GeoReport v2 server (docs/open311.md), served by `jun-engine web`."""

    jurisdiction_id: str | None = Field(None, min_length=1, max_length=100)
    """The town's jurisdiction id; a request naming another is refused (404)."""
    contact: str = Field("", max_length=500)
    """Who to ask about the service (discovery's `contact`)."""
    key_service: str = Field("", max_length=500)
    """How a client gets an API key (discovery's `key_service`)."""
    requests_per_minute: int = Field(60, ge=1, le=10_000)
    """Requests one API key may make in any minute; beyond it a 429."""


def _default_thresholds() -> dict[Pollutant, float]:
    return {"pm2_5": 25.0, "pm10": 50.0}


class AirQuality(Strict):
    """The daily air-quality forecast (Open-Meteo), posted when it crosses the town's thresholds."""

    enabled: bool = False
    api_url: str = "https://air-quality-api.open-meteo.com/v1/air-quality"
    account: Key | None = None
    post_time: ClockTime = "07:30"
    thresholds: dict[Pollutant, float] = Field(default_factory=_default_thresholds)


SmtpHost = Annotated[
    str, StringConstraints(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\[\]-]+$")
]
"""An SMTP server's host name or IP address."""


class Smtp(Strict):
    """The town's SMTP server, the one every e-mail of the engine goes through (the weekly
    report, departments' notices). Credentials are environment variable NAMES."""

    host: SmtpHost
    port: int = Field(587, ge=1, le=65535)
    security: SmtpSecurity = "starttls"
    username_env: EnvVarName | None = None
    password_env: EnvVarName | None = None
    sender: EmailAddress = Field(alias="from")
    """The From address (`from:` in the file), unless an e-mail's own section names another."""
    timeout: Duration = timedelta(seconds=30)
    """How long one SMTP conversation may wait for the server, at each step."""


class WebDesk(Strict):
    """The town's web desk as its staff reach it."""

    url: str | None = Field(
        None, max_length=500, pattern=r"^https?://[A-Za-z0-9.:\[\]-]+(/[^\s?#]*)?$"
    )
    """The desk's address (https://desk.jun.example): e-mails link each case at `<url>/cases/`."""

    @field_validator("url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return None if value is None else value.rstrip("/")


class ReportEmail(Strict):
    """Where the mayor's weekly report is e-mailed (HTML body, PDF attached). The server is the
    town's `smtp`; a file written before that section names it here instead (`smtp_host` and
    the keys after it), which still works for everything the engine e-mails."""

    to: list[EmailAddress] = Field(min_length=1, max_length=50)
    sender: EmailAddress | None = Field(None, alias="from")
    """The From address (`from:` in the file); default: `smtp.from`."""
    smtp_host: SmtpHost | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    security: SmtpSecurity = "starttls"
    username_env: EnvVarName | None = None
    password_env: EnvVarName | None = None
    language: LanguageCode | None = None
    """The subject's and body's language; default: the town's `default_language`."""
    timeout: Duration = timedelta(seconds=30)
    """How long one SMTP conversation may wait for the server, at each step."""

    def own_server(self) -> Smtp | None:
        """The server this section names itself (the older form), if it does."""
        if self.smtp_host is None or self.sender is None:
            return None
        return Smtp.model_validate(
            {
                "host": self.smtp_host,
                "port": self.smtp_port,
                "security": self.security,
                "username_env": self.username_env,
                "password_env": self.password_env,
                "from": self.sender,
                "timeout": self.timeout,
            }
        )


SERVER_KEYS = ("smtp_host", "smtp_port", "security", "username_env", "password_env", "timeout")
"""`reports.email`'s keys that describe the SMTP server (the older form of `smtp`)."""


class Reports(Strict):
    """What happens to the weekly report beyond keeping it in the desk."""

    email: ReportEmail | None = None
    """Absent: the report is only kept in the desk (`/reports`)."""


class Config(Strict):
    """The whole of accounts.yaml."""

    version: Literal[1] = 1
    town: Town
    x: XSettings
    accounts: dict[Key, Account] = Field(min_length=1)
    line: LineSettings | None = None
    """The town's LINE official accounts, if it has any."""
    departments: dict[Key, Department] = Field(min_length=1)
    external_bodies: dict[Key, ExternalBody] = Field(default_factory=dict)
    verification: Verification = Verification()
    routing: Routing = Routing()
    cases: Cases = Cases()
    schools: dict[Key, School] = Field(default_factory=dict)
    notices: Notices = Notices()
    air_quality: AirQuality = AirQuality()
    appointments: dict[Key, AppointmentBook] = Field(default_factory=dict)
    """Department key -> its bookable appointments (self-service)."""
    reports: Reports = Reports()
    smtp: Smtp | None = None
    """The town's SMTP server (reports and departments are e-mailed through it)."""
    web: WebDesk = WebDesk()
    open311: Open311 = Open311()

    def town_account(self) -> Account:
        """The town hall's main account."""
        return self.accounts[self.town.account]

    def mail_server(self) -> Smtp | None:
        """The town's SMTP server: `smtp`, else the one `reports.email` names (older files)."""
        email = self.reports.email
        return self.smtp or (email.own_server() if email is not None else None)

    def mail_server_path(self) -> tuple[str, ...]:
        """Where the town's SMTP server is written: `smtp`, or `reports.email`."""
        return ("smtp",) if self.smtp is not None else ("reports", "email")

    def emailed_departments(self) -> dict[str, list[str]]:
        """Department key -> its e-mail addresses, for the departments that have any."""
        return {key: dept.email for key, dept in self.departments.items() if dept.email}

    def triage_department(self) -> str:
        """The key of the department that receives what the router is unsure of."""
        return next(key for key, dept in self.departments.items() if dept.triage)
