"""The messages Trellis sends, each as plain text and HTML (stdlib `string.Template`).

Values are substituted as given into the text part and HTML-escaped into the HTML part, so
a name such as ``<b>Ann</b>`` is shown, never rendered.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template


@dataclass(frozen=True, slots=True)
class Message:
    """A rendered message: what the outbox stores."""

    kind: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class MailTemplate:
    kind: str
    subject: Template
    text: Template
    html: Template

    def render(self, **values: str) -> Message:
        escaped = {name: html.escape(value) for name, value in values.items()}
        return Message(
            kind=self.kind,
            subject=self.subject.substitute(values),
            text=self.text.substitute(values),
            html=_LAYOUT.substitute(
                subject=escaped.get("title", ""), body=self.html.substitute(escaped)
            ),
        )


_LAYOUT = Template(
    """<!doctype html>
<html><head><meta charset="utf-8"><title>$subject</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #111">
$body
<p style="color: #666; font-size: 12px">Sent by Trellis.</p>
</body></html>
"""
)

INVITATION = MailTemplate(
    kind="invitation",
    subject=Template("$inviter invited you to $organization on Trellis"),
    text=Template(
        """Hello,

$inviter invited you to join $organization on Trellis as $role.

Accept the invitation:
$link

The link works once and expires on $expires. If you did not expect this invitation, ignore
this email.
"""
    ),
    html=Template(
        """<p>Hello,</p>
<p>$inviter invited you to join <strong>$organization</strong> on Trellis as $role.</p>
<p><a href="$link">Accept the invitation</a></p>
<p>The link works once and expires on $expires. If you did not expect this invitation, ignore
this email.</p>"""
    ),
)

PASSWORD_RESET = MailTemplate(
    kind="password_reset",
    subject=Template("Reset your Trellis password"),
    text=Template(
        """Hello,

Someone (hopefully you) asked to reset the password of your Trellis account.

Choose a new password:
$link

The link works once and expires on $expires. If you did not ask for this, ignore this email:
your password stays as it is.
"""
    ),
    html=Template(
        """<p>Hello,</p>
<p>Someone (hopefully you) asked to reset the password of your Trellis account.</p>
<p><a href="$link">Choose a new password</a></p>
<p>The link works once and expires on $expires. If you did not ask for this, ignore this
email: your password stays as it is.</p>"""
    ),
)

EMAIL_VERIFICATION = MailTemplate(
    kind="email_verification",
    subject=Template("Confirm your email address for Trellis"),
    text=Template(
        """Hello,

Confirm that $email is your address on Trellis:
$link

The link works once and expires on $expires.
"""
    ),
    html=Template(
        """<p>Hello,</p>
<p>Confirm that <strong>$email</strong> is your address on Trellis:</p>
<p><a href="$link">Confirm my address</a></p>
<p>The link works once and expires on $expires.</p>"""
    ),
)
