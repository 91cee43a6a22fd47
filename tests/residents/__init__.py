"""Tests of the residents' register, the verification stage and the residents commands."""
