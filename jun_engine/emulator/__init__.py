"""The X API emulator: an HTTP server speaking X API v2 for tests, the demo and rehearsals."""
