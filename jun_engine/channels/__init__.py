"""Channels: how the engine reaches residents (X now, LINE later), each in its own subpackage."""
