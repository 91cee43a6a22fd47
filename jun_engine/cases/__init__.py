"""The case desk: opening cases, acknowledging residents, notifying departments, staff replies
and commands, SLA escalation, daily digests and satisfaction surveys (docs/cases.md)."""
