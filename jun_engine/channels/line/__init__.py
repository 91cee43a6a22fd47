"""LINE: official accounts reached through the official SDK, `line-bot-sdk` (`linebot.v3`).

The only package that imports `linebot`. Events arrive pushed to the engine's webhook server;
answers go out by reply token while it is fresh, else by push with a retry key.
"""
