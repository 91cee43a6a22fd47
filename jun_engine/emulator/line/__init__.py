"""LINE's Messaging API, emulated: as strict as LINE, with signed webhooks and LINE residents."""
