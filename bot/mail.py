"""E-mail through the region's SMTP server: reminders, and invitations with an .ics attached."""

import re
import smtplib
import ssl
from email.message import EmailMessage

from bot.settings import Settings

ITIP_METHOD = re.compile(rb"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


class MailError(Exception):
    """An e-mail could not be handed to the SMTP server."""


class Mailer:
    """Sends plain-text e-mail through one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_seconds = timeout_seconds

    def send(
        self, to: str, subject: str, body: str, calendar: tuple[str, bytes] | None = None
    ) -> None:
        """Returns once the server has accepted the message; raises MailError otherwise.
        ``calendar`` is an invitation to attach: (file name, iCalendar bytes)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if calendar is not None:
            filename, ics = calendar
            # Outlook acts on the MIME part's method: a cancellation sent as REQUEST is shown as
            # an invitation instead of taking the meeting out of the calendar.
            found = ITIP_METHOD.search(ics)
            message.add_attachment(
                ics,
                maintype="text",
                subtype="calendar",
                filename=filename,
                params={"method": found.group(1).decode() if found else "REQUEST"},
            )
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"SMTP {self.host}:{self.port}: {error}") from error


def mailer_from_settings(settings: Settings) -> Mailer | None:
    """The region's SMTP server (``DG_SMTP_*``), or None when no host is set: mail is then off."""
    smtp = settings.smtp
    if not smtp.host or not smtp.sender:
        return None
    return Mailer(
        host=smtp.host,
        port=smtp.port,
        sender=smtp.sender,
        username=smtp.username,
        password=smtp.password.get_secret_value() if smtp.password else None,
        starttls=smtp.starttls,
        timeout_seconds=smtp.timeout_seconds,
    )
