"""`python -m jun_engine` runs the command line."""

from jun_engine.cli.app import main

main()
