"""The town's Open311 services: one per public category of each department (a department without
categories is one service), coded `department-category`; private categories and departments are
never listed, never defined and never take a request."""

from __future__ import annotations

from dataclasses import dataclass

from jun_engine.cases.texts import localized
from jun_engine.channels.open311.problems import not_found
from jun_engine.channels.open311.wire import Document
from jun_engine.config.schema import Config, ServiceAttribute

SEPARATOR = "-"
"""Between department and category in a service code (keys never hold one)."""


@dataclass(frozen=True, slots=True)
class Service:
    """One service a client may post requests for."""

    code: str
    department: str
    category: str | None


def catalogue(config: Config) -> list[Service]:
    """Every public service, in accounts.yaml order."""
    services: list[Service] = []
    for key, dept in config.departments.items():
        if not dept.categories:
            if dept.privacy == "public":
                services.append(Service(key, key, None))
            continue
        for code, category in dept.categories.items():
            if (category.privacy or dept.privacy) == "public":
                services.append(Service(f"{key}{SEPARATOR}{code}", key, code))
    return services


def service(config: Config, code: str) -> Service:
    """The public service `code`; an unknown or private one is a 404."""
    found = next((s for s in catalogue(config) if s.code == code), None)
    if found is None:
        raise not_found(f"no service {code!r}")
    return found


def code_of(config: Config, department: str, category: str | None) -> str | None:
    """The public service a case of this department and category belongs to (None: not one)."""
    wanted = department if category is None else f"{department}{SEPARATOR}{category}"
    return next((s.code for s in catalogue(config) if s.code == wanted), None)


def attributes(config: Config, found: Service) -> list[ServiceAttribute]:
    """What the service asks besides the description."""
    if found.category is None:
        return []
    return list(config.departments[found.department].categories[found.category].attributes)


def name_of(config: Config, found: Service, language: str) -> str:
    """The service's name: its category's, else its department's."""
    dept = config.departments[found.department]
    if found.category is None:
        return localized(dept.name, language, config)
    return localized(dept.categories[found.category].name, language, config)


def listed(config: Config, language: str) -> list[Document]:
    """GET services: each service's code, name, description, metadata, type, keywords, group."""
    documents: list[Document] = []
    for each in catalogue(config):
        dept = config.departments[each.department]
        category = dept.categories[each.category] if each.category else None
        words = (category or dept).keywords.get(language, [])
        documents.append(
            {
                "service_code": each.code,
                "service_name": name_of(config, each, language),
                "description": name_of(config, each, language),
                "metadata": bool(attributes(config, each)),
                "type": "realtime",
                "keywords": ", ".join(words),
                "group": localized(dept.name, language, config),
            }
        )
    return documents


def definition(config: Config, found: Service, language: str) -> Document:
    """GET services/{code}: the service's attributes, each with its values for the lists."""
    return {
        "service_code": found.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": localized(attribute.datatype_description, language, config),
                "order": order,
                "description": localized(attribute.description, language, config),
                "values": [
                    {"key": key, "name": localized(name, language, config)}
                    for key, name in attribute.values.items()
                ],
            }
            for order, attribute in enumerate(attributes(config, found), start=1)
        ],
    }
