"""The residents' register: enrolment with one-time codes, verification, lockout, revocation
and erasure (docs/residents.md)."""
