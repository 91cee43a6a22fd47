"""What the gateway asks X to send, and why: under pay-per-use every expansion has a price.

Post fields cost nothing extra: X bills per post returned, whatever its fields. So each post
read asks for everything the pipeline uses: `author_id` (who to serve), `created_at`,
`conversation_id` (threads, staff replies), `entities` (explicit @mentions, hashtags for incident
grouping), `referenced_tweets` (replies, quotes) and `note_tweet` (the full text of long posts).

Expansions are different: `expansions=author_id` (mentions) and `expansions=sender_id` (DMs) add
a *user* object per distinct author, with its `username`. The engine keys residents by user id,
never by handle (handles change hands), but people read residents by handle: so the daemon's
gateways expand authors on the two intake reads (`expand_authors=True`), and the handle X gives
with each message is what notifications, `residents list` and `cases show` print, kept up to
date as it changes. Timelines and searches (staff's own posts) never expand. Whether X bills
expanded objects is not documented (FACTS.md); if it does, a user read is $0.010, billed once
per UTC day: about $0.010 per distinct resident writing per day.
"""

from __future__ import annotations

POST_FIELDS = (
    "author_id",
    "conversation_id",
    "created_at",
    "entities",
    "note_tweet",
    "referenced_tweets",
)
DM_EVENT_FIELDS = (
    "created_at",
    "dm_conversation_id",
    "entities",
    "event_type",
    "id",
    "referenced_tweets",
    "sender_id",
    "text",
)
USER_FIELDS = ("username",)
"""Asked only together with an author expansion; `id` and `name` come anyway."""

AUTHOR_EXPANSION = "author_id"
DM_SENDER_EXPANSION = "sender_id"
