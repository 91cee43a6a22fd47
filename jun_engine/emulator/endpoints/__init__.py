"""One function per X endpoint: a `Call` in, a `Response` out (or an `ApiProblemError` raised)."""
