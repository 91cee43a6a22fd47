"""What the Open311 tests share: the town's configuration with a service that asks for more
(potholes: how deep, which lane), the desk with the Open311 server mounted, API keys, and a
reader of XML that sees it as FixMyStreet's client does (Perl's XML::Simple with the options
`perllib/Open311.pm` gives it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette

from jun_engine.channels.open311 import clients
from jun_engine.channels.open311.server import mount
from jun_engine.config.schema import Config
from jun_engine.domain.cases import sequence_scope
from jun_engine.store.tables import CaseSequenceRow
from jun_engine.web.app import create_app
from jun_engine.web.settings import WebSettings
from tests.web.town import FAST, NOW

SECRET = "test-session-key-" + "o" * 40
ATTRIBUTES = [
    {
        "code": "depth",
        "description": {"es": "¿Qué profundidad tiene?", "en": "How deep is it?"},
        "datatype": "singlevaluelist",
        "required": True,
        "values": {"shallow": {"es": "Poco", "en": "Shallow"}, "deep": {"es": "Mucho"}},
    },
    {"code": "lane", "description": {"es": "Carril", "en": "Lane"}, "datatype": "number"},
]
GROUP_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "groups": "group",
}
"""FixMyStreet's `_get_xml_object`: GroupTags, and the same names in ForceArray."""


def open311_config(
    config: Config, *, jurisdiction: str | None = "jun.es", per_minute: int = 10_000
) -> Config:
    """`config` with potholes asking for more, a jurisdiction and a key rate."""
    data = config.model_dump(exclude_unset=True)
    data["departments"]["public_works"]["categories"]["potholes"]["attributes"] = ATTRIBUTES
    settings: dict[str, Any] = {"requests_per_minute": per_minute, "contact": "open311@jun.es"}
    if jurisdiction is not None:
        settings["jurisdiction_id"] = jurisdiction
    data["open311"] = settings | {"key_service": "Ask the town hall: open311@jun.es"}
    return Config.model_validate(data)


def open311_app(
    config: Config, engine: Engine, clock: Callable[[], datetime] = lambda: NOW
) -> Starlette:
    """The desk with the Open311 server mounted, on `config` and `engine`."""
    settings = WebSettings(secret_key=SECRET, secure_cookies=False, passwords=FAST)
    return create_app(config, engine, settings, clock=clock, mounts=[mount(config, engine, clock)])


def past_the_seeded_references(engine: Engine) -> None:
    """Move the case counter past the references `tests.web.town` wrote by hand."""
    with Session(engine) as session:
        session.add(CaseSequenceRow(scope=sequence_scope("JUN", 2026), last=500))
        session.commit()


def issue_key(engine: Engine, name: str) -> str:
    """A new client's API key."""
    with Session(engine) as session:
        key = clients.add(session, name, NOW)
        session.commit()
    return key


def fixmystreet_reads(xml: bytes) -> Any:
    """The XML as FixMyStreet's Open311 client reads it: the root element dropped, each element
    a hash of its children, the group-tag elements always arrays (their wrapper folded away:
    `<attributes><attribute/>...` is `attributes => [...]`), empty elements undef."""
    return _simple(ElementTree.fromstring(xml))


def _simple(element: Any) -> Any:
    children = list(element)
    if not children:
        text = element.text
        return text if text else None
    folded: dict[str, Any] = {}
    for child in children:
        value = _simple(child)
        if child.tag in GROUP_TAGS and GROUP_TAGS[child.tag] in {c.tag for c in child}:
            value = value[GROUP_TAGS[child.tag]]
        elif child.tag in GROUP_TAGS:  # an empty group: no items
            value = []
        if child.tag in GROUP_TAGS.values():
            folded.setdefault(child.tag, []).append(value)
        elif child.tag in folded:  # repeated: XML::Simple makes an array of it
            earlier = folded[child.tag]
            folded[child.tag] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
        else:
            folded[child.tag] = value
    return folded
