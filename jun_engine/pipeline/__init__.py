"""The intake pipeline: poll each stream, store what arrives, process it once, count its cost."""
