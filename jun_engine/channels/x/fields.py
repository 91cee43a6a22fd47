"""What the gateway asks X to send, and why: under pay-per-use every expansion has a price.

Post fields cost nothing extra: X bills per post returned, whatever its fields. So each post
read asks for everything the pipeline uses: `author_id` (who to serve), `created_at`,
`conversation_id` (threads, staff replies), `entities` (explicit @mentions, hashtags for incident
grouping), `referenced_tweets` (replies, quotes) and `note_tweet` (the full text of long posts).

Expansions are different: `expansions=author_id` adds a *user* object per distinct author, and a
user read costs $0.010, ten times an owned post read ($0.001) and twice a plain post read. The
engine keys residents by user id, never by handle (handles change), and a department's handle is
in accounts.yaml; so by default the gateway does not expand authors and `author_handle` stays
None. A town that wants handles shown to staff can turn `expand_authors` on: X bills each user
once per UTC day, so the extra cost is about $0.010 per distinct resident writing per day.
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
