"""The weekly report's e-mail: `message` builds it, `smtp` (the only smtplib import) hands it to
the town's SMTP server, `delivery` records every attempt so it is sent at most once."""
