"""The timeline follower reads a department's recent posts again, so a staff reply written before
its case was opened is still recorded once the case exists (against the X emulator)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from jun_engine.cases.repository import history
from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.channels.x.billing import Prices
from jun_engine.channels.x.intake.streams import StreamRef, timelines_of
from jun_engine.channels.x.intake.timelines import REREAD_WINDOW, TimelineReader
from jun_engine.clock import FollowedClock
from jun_engine.config.schema import Config
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.domain.statuses import PollStream
from jun_engine.emulator.emulator import Emulator
from jun_engine.store.repository import Checkpoint, store_messages
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CaseRow, InboundMessageRow
from tests.cases.test_opening import admitted, routed
from tests.stages import open_case


def test_a_staff_reply_before_its_case_opened_is_recorded_on_a_later_sweep(
    x_emulator: Emulator, x_emulator_config: Config, engine: Engine
) -> None:
    config = x_emulator_config
    works = config.accounts["public_works"].user_id
    resident = x_emulator.state.add_user("vecina_jun", "Vecina de Jun")
    credentials = credentials_for(config, "public_works", x_emulator.credentials_env())
    with XGateway(credentials, base_url=x_emulator.base_url, timeout=(2.0, 5.0)) as gateway:
        reader = TimelineReader(
            _timeline(config, "public_works"),
            gateway,
            engine,
            FollowedClock(x_emulator.base_url, resync_seconds=0.0),
            Prices.of(config),
            config,
        )
        reader.sweep()  # the first sweep follows from now on
        x_emulator.step(5)
        # Given a resident's mention, and staff answering it in the thread at once
        mention = x_emulator.state.create_post(resident.id, "@JunObras farola fundida en Real")
        x_emulator.step(5)
        x_emulator.state.create_post(works, "Vamos mañana a cambiarla.", in_reply_to_id=mention.id)
        x_emulator.step(5)
        # When the follower reads the reply before the engine has opened the case
        reader.sweep()
        assert _staff_replies(engine) == 0
        # And the case is opened a little later
        _open_case(engine, config, mention.id, mention.text, resident.id, x_emulator)
        x_emulator.step(60)
        reader.sweep()
        # Then the reply is recorded on it, once, however often the window is read again
        assert _staff_replies(engine) == 1
        x_emulator.step(60)
        reader.sweep()
        assert _staff_replies(engine) == 1
        x_emulator.step(REREAD_WINDOW.total_seconds() + 60)
        reader.sweep()
        assert _staff_replies(engine) == 1


def _timeline(config: Config, account_key: str) -> StreamRef:
    return next(ref for ref in timelines_of(config) if ref.account_key == account_key)


def _open_case(
    engine: Engine, config: Config, post_id: str, text: str, author: str, emulator: Emulator
) -> None:
    """Store the mention as the intake would and open its case at public works."""
    works = config.accounts["public_works"].user_id
    message = InboundMessage(
        channel=Channel.X, kind=MessageKind.MENTION, platform_id=post_id, account_id=works,
        author_id=author, text=text, created_at=emulator.clock.now() - timedelta(seconds=10),
        conversation_id=post_id, mentioned_ids=(works,),
    )  # fmt: skip
    now = emulator.clock.now()
    with session_scope(engine) as session:
        store_messages(session, [message], Checkpoint(works, PollStream.MENTIONS, None, now))
        row = session.exec(select(InboundMessageRow)).one()
        open_case(session, row, admitted(None), routed("public_works"), config, now)


def _staff_replies(engine: Engine) -> int:
    with Session(engine) as session:
        case = session.exec(select(CaseRow)).first()
        if case is None or case.id is None:
            return 0
        return [event.kind for event in history(session, case.id)].count("staff_reply")
