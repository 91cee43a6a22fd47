"""Property over the whole chain (verify -> classify -> open_case -> staff answers -> outbox):
no text from a DM, nor from a message in a private category, ever appears in a public post.

"Appears" is the privacy gate's definition (docs/cases.md): 12 characters in a row after
normalisation, outside the town's own vocabulary; and, independently of that definition, the
random secret each message carries never shows up in any public post at all.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from jun_engine.cases import actions
from jun_engine.cases.privacy import leaked_runs, normalise, public_vocabulary, runs
from jun_engine.cases.repository import case_of_message
from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import OutboxKind, Privacy
from jun_engine.pipeline.process import process_claimed
from jun_engine.routing.router import Router
from jun_engine.store.tables import OutboxRow
from tests.cases.conftest import MONDAY, StoreMessage
from tests.stages import case_desk_chain

OPENINGS = (
    "aviso confidencial: he visto trapicheo",  # police tips: private
    "Confidential tip: I saw drug dealing",  # police tips: private
    "quería pedir cita con el médico",  # health: private
    "mi padre necesita ayuda a domicilio",  # social services: private
    "la farola está fundida",  # public works: public
    "no han recogido la basura",  # street cleaning: public
    "ไฟถนนดับ",  # public works, Thai: public
)
secrets = st.text(
    alphabet=st.sampled_from("bcdfghjklmnpqrstvwxzñ0123456789กขคงจฉ"), min_size=14, max_size=40
)
hostile = st.sampled_from(["", "🔥😡", "\u202e", "\x07\t", "\n" * 3, "👨‍👩‍👧‍👦"])
messages = st.lists(
    st.tuples(st.sampled_from(OPENINGS), secrets, hostile, st.sampled_from(["mention", "dm"])),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=messages, answer_secret=st.booleans())
def test_no_private_text_ever_reaches_a_public_post(
    session: Session,
    config: Config,
    router: Router,
    store_message: StoreMessage,
    verified_resident: Callable[..., int],
    batch: list[tuple[str, str, str, str]],
    answer_secret: bool,
) -> None:
    chain = case_desk_chain(config, router)  # every message a case: self-service left out
    with session.begin_nested() as example:
        verified_resident()
        private: list[str] = []
        public_texts: list[str] = []
        secrets_seen: list[str] = []
        for opening, secret, decoration, route in batch:
            # Given a verified resident's message carrying a secret, by mention or DM
            text = f"{decoration}{opening} {secret}{decoration}"
            kind = MessageKind.DM if route == "dm" else MessageKind.MENTION
            row = store_message(f"@AytoJun {text}" if route == "mention" else text, kind=kind)
            # When it goes through the chain, and staff answer quoting it
            process_claimed(session, row, config, MONDAY, chain)
            case = case_of_message(session, row.id or 0)
            assert case is not None
            if case.privacy is Privacy.PRIVATE:
                private.append(row.text)
                secrets_seen.append(secret)
            else:
                public_texts.append(row.text)
            if answer_secret:
                actions.answer(
                    session,
                    case,
                    f"Sobre lo que nos cuentas: {text}",
                    actor="cli",
                    config=config,
                    now=MONDAY,
                )
        # Then no public post carries any run of a private text, nor any private secret
        public = [r.text for r in session.exec(select(OutboxRow)) if r.kind is not OutboxKind.DM]
        # (what a public message of the same batch said may be quoted back: it is public)
        vocabulary = public_vocabulary(config)
        shared = set().union(*(runs(t) for t in public_texts))
        for post in public:
            assert not leaked_runs(post, private, vocabulary) - shared
            assert not any(
                normalise(s) in normalise(post)
                for s in secrets_seen
                if not any(normalise(s) in normalise(t) for t in public_texts)
            )
        example.rollback()
