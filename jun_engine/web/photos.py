"""A case's photos served to staff: `GET /cases/{reference}/photos/{id}`, under the case's own
access rules (a case someone may not see, or whose private text they may not read, is a 404, as
is a photo of another case); viewing a private case's photo is recorded like its text."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from jun_engine.attachments.media import MediaStore
from jun_engine.cases.repository import message_of
from jun_engine.domain.attachments import PhotoStatus
from jun_engine.store.session import session_scope
from jun_engine.store.tables import CasePhotoRow
from jun_engine.web.access import is_private, record_private_view
from jun_engine.web.casepage import HiddenCaseError, visible_case
from jun_engine.web.desk import desk_of
from jun_engine.web.pages import access_of

HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Content-Disposition": "inline",
}


async def case_photo(request: Request) -> Response:
    """The photo's bytes with its content type, or 404."""
    desk, access = desk_of(request), access_of(request)
    reference = request.path_params["reference"]
    number = request.path_params["photo"]
    root = desk.settings.media_dir
    if not number.isdigit() or root is None:
        raise HTTPException(404)

    def load() -> tuple[bytes, str] | None:
        with session_scope(desk.engine) as session:
            try:
                case = visible_case(session, access, reference)
            except HiddenCaseError:
                return None
            message = message_of(session, case)
            private = is_private(case.privacy, message.kind.value if message else None)
            if not access.reads_text(case.department, private):
                return None
            row = session.get(CasePhotoRow, int(number))
            if row is None or row.case_id != case.id or row.status is not PhotoStatus.STORED:
                return None
            if row.path is None or row.content_type is None:
                return None
            try:
                data = MediaStore(root).file(row.path).read_bytes()
            except (OSError, ValueError):
                return None
            if private:
                record_private_view(session, access, case, desk.clock())
            return data, row.content_type

    found = await run_in_threadpool(load)
    if found is None:
        raise HTTPException(404)
    return Response(found[0], media_type=found[1], headers=HEADERS)
