"""Case attachments, channel-neutral: the photos residents send (files in the media store, rows
in `case_photo`), the map pin of a case and its district (`case_place`), asking for what a
category needs, and offering a report near an open one as "is this the same?"."""
