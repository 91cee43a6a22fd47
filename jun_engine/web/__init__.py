"""The town's web desk: staff work their cases in a browser; the mayor's office sees analytics."""
