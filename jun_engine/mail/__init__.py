"""The engine's e-mail, through the town's one SMTP server: the weekly report (`delivery`) and
departments' notices (`departments`), built by `message`, handed over by `smtp` (the only smtplib
import), each attempt recorded so it is sent at most once (`attempts`)."""
