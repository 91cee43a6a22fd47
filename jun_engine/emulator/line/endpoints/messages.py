"""Sending: reply, push, multicast, broadcast, narrowcast and its progress, validate."""

from __future__ import annotations

from typing import Any

from jun_engine.emulator.line.call import LineCall, empty
from jun_engine.emulator.line.errors import bad_request, monthly_limit, not_found
from jun_engine.emulator.line.narrowcast import Job
from jun_engine.emulator.line.segments import matches
from jun_engine.emulator.wire import Response


def reply(call: LineCall) -> Response:
    """Answer a webhook event through its reply token: free, once, within the token's life."""
    state, body = call.state, call.body
    token = body["replyToken"]
    target = state.replies.peek(token, state.clock.now())
    sent = state.send("reply", call.request_id, [target.user_id], body["messages"], charge=False)
    state.replies.use(token)
    return Response(200, {"sentMessages": sent.sent_messages})


def push(call: LineCall) -> Response:
    """Send to one user: one message counted if they are reachable."""
    body = call.body
    sent = call.state.send(
        "push", call.request_id, [body["to"]], body["messages"], retry_key=call.retry_key
    )
    return Response(200, {"sentMessages": sent.sent_messages})


def multicast(call: LineCall) -> Response:
    """Send to up to 500 users: one message counted per reachable user."""
    body = call.body
    call.state.send(
        "multicast", call.request_id, body["to"], body["messages"], retry_key=call.retry_key
    )
    return empty()


def broadcast(call: LineCall) -> Response:
    """Send to every friend who has not blocked the account."""
    state = call.state
    everyone = [f.user_id for f in state.friends.reachable()]
    state.send(
        "broadcast", call.request_id, everyone, call.body["messages"], retry_key=call.retry_key
    )
    return empty()


def narrowcast(call: LineCall) -> Response:
    """Accept a narrowcast (202); it is filtered and sent over the next emulated seconds."""
    state, body = call.state, call.body
    now = state.clock.now()
    with state.lock:
        selection = state.segments().recipients(body.get("recipient"))
        demographic = (body.get("filter") or {}).get("demographic")
        targets = [
            f.user_id
            for f in state.friends.reachable()
            if f.user_id in selection.user_ids
            and (demographic is None or matches(f, demographic, now))
        ]
        job = Job(call.request_id, now, body["messages"], targets, retry_key=call.retry_key)
        job.error_code = _limit(job, body.get("limit") or {}, state.quota.remaining(now), call)
        if selection.small_audience:
            job.error_code = 4
        elif not targets:
            job.error_code = 2
        state.jobs[call.request_id] = job
    return empty(202)


def _limit(job: Job, limit: dict[str, Any], remaining: int | None, call: LineCall) -> int | None:
    """Apply `limit` to the job's targets; an error code when it must fail, 429 when the quota
    cannot cover it and no limit allows a partial send."""
    targets = job.targets
    cap = limit.get("max")
    if cap is not None and len(targets) > cap:
        targets = sorted(call.state.random.sample(targets, cap))
    if remaining is not None and len(targets) > remaining:
        if not limit.get("upToRemainingQuota"):
            raise monthly_limit()
        if limit.get("forbidPartialDelivery"):
            return 5
        targets = sorted(call.state.random.sample(targets, remaining))
    job.targets = targets
    return None


def narrowcast_progress(call: LineCall) -> Response:
    """The phase of a narrowcast, by the request id its 202 carried."""
    request_id = call.request.param("requestId")
    if not request_id:
        raise bad_request("must be specified", "requestId")
    job = call.state.jobs.get(request_id)
    if job is None:
        raise not_found()
    return Response(200, job.progress(call.state.clock.now()))


def validate(_call: LineCall) -> Response:
    """The messages passed every check (the dispatcher made them): 200 with nothing sent."""
    return empty()
