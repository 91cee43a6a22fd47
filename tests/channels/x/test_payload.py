"""Each `data` item keeps the exact text X sent, however the body is laid out."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jun_engine.channels.x.payload import decode
from jun_engine.domain.errors import MalformedResponse

ODD_LAYOUT = (
    '{ "meta" : {"result_count":2, "x": [1, {"data": [9]}]} ,\n'
    '  "data" :[ {"id":"1","text":"caf\\u00e9 \\"quoted\\" ]}"} ,\t{"id": "2", "text": "ไฟดับ 🔥"} ]'
    ' , "includes": {"users": []} }'
)


def test_items_are_cut_from_the_body_exactly() -> None:
    body = decode(ODD_LAYOUT.encode())
    texts = [raw for _, raw in body.items()]
    assert texts == [
        '{"id":"1","text":"caf\\u00e9 \\"quoted\\" ]}"}',
        '{"id": "2", "text": "ไฟดับ 🔥"}',
    ]
    assert [item["text"] for item, _ in body.items()] == ['café "quoted" ]}', "ไฟดับ 🔥"]


def test_a_body_without_data_has_no_items() -> None:
    assert decode(b'{"meta": {"result_count": 0}}').items() == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty body"),
        (b"<html>502 Bad Gateway</html>", "HTML"),
        (b'{"data": [{"id": "1"', "truncated"),
        (b'"just a string"', "got str"),
        (b'{"data": [1, 2]}', "non-object"),
        (b"\xff\xfe{}", "truncated"),
    ],
)
def test_unreadable_bodies_are_malformed_responses(content: bytes, reason: str) -> None:
    with pytest.raises(MalformedResponse, match=reason):
        decode(content)


texts = st.text(st.characters(codec="utf-8"), max_size=50)
items = st.lists(
    st.fixed_dictionaries({"id": st.from_regex(r"[0-9]{1,19}", fullmatch=True), "text": texts}),
    max_size=5,
)


@given(data=items, ascii_only=st.booleans(), indent=st.sampled_from([None, 0, 2]))
def test_any_serialisation_round_trips_each_item(
    data: list[dict[str, str]], ascii_only: bool, indent: int | None
) -> None:
    raw = json.dumps(
        {"data": data, "meta": {"result_count": len(data)}}, ensure_ascii=ascii_only, indent=indent
    )
    decoded = decode(raw.encode())
    for (item, text), original in zip(decoded.items(), data, strict=True):
        assert item == original
        assert json.loads(text) == original
        assert text in raw
