"""The one-command demo: the emulator's simulated town served by the real daemon, watched live."""
