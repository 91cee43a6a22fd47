"""The engine's e-mails as messages. The weekly report: its HTML as the body (a plain-text part
for mail readers without HTML), its PDF attached, the subject in the town's language; its
Message-ID is the same at every attempt for one week, so a mail reader that sees a resent copy
(`jun-engine web report --send --again`) can tell it is the same report. A department's e-mail:
plain text the case desk wrote (`cases.department_mail`), nothing attached.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from re import sub

from jun_engine.web import i18n

PLAIN: dict[str, str] = {
    "es": "El informe semanal de {town} ({start} a {end}) va adjunto en PDF.",
    "en": "The weekly report of {town} ({start} to {end}) is attached as a PDF.",
    "th": "รายงานประจำสัปดาห์ของ {town} ({start} ถึง {end}) แนบมาเป็นไฟล์ PDF",
    "ja": "{town}の週報({start}〜{end})をPDFで添付しています。",
}
"""The plain-text part, for mail readers that do not show HTML."""
SEVEN_BIT = SMTP.clone(cte_type="7bit")
"""CRLF lines, headers as RFC 2047 encoded words, bodies in base64 or quoted-printable: a message
every SMTP server takes, whether or not it speaks 8BITMIME or SMTPUTF8."""


def report_message(
    *,
    town: str,
    language: str,
    week_start: date,
    html: str,
    pdf: bytes | None,
    sender: str,
    to: list[str],
    now: datetime,
) -> EmailMessage:
    """The e-mail of the report of the week starting on `week_start`."""
    language = language if language in i18n.LANGUAGES else "en"
    start, end = week_start.isoformat(), (week_start + timedelta(days=6)).isoformat()
    message = EmailMessage(policy=SEVEN_BIT)
    message["Subject"] = f"{i18n.Labels(language)('weekly_report')}: {town}, {start} - {end}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(town, week_start, sender)
    message.set_content(PLAIN[language].format(town=town, start=start, end=end))
    message.add_alternative(html, subtype="html")
    if pdf is not None:
        message.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=f"weekly-report-{start}.pdf"
        )
    message["Content-Language"] = language  # after the parts: setting content clears Content-*
    return message


def message_id(town: str, week_start: date, sender: str) -> str:
    """One Message-ID per town and week, whatever the attempt."""
    slug = sub(r"[^a-z0-9]+", "-", town.casefold()).strip("-") or "town"
    domain = sender.rpartition("@")[2]
    return f"<weekly-report.{week_start.isoformat()}.{slug}@{domain}>"


def department_message(
    *,
    subject: str,
    body: str,
    language: str,
    sender: str,
    to: list[str],
    now: datetime,
    message_id: str,
) -> EmailMessage:
    """A department's e-mail: plain text, in 7-bit ASCII on the wire like the report's."""
    message = EmailMessage(policy=SEVEN_BIT)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    message.set_content(body)
    message["Content-Language"] = language
    return message
