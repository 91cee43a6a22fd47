"""The `jun-engine` command line: one small module per command group."""
