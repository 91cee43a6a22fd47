"""Tests of the X API emulator."""
