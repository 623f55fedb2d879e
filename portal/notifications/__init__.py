"""The notification outbox: messages to people outside the portal (e-mail, SMS), sent by workers."""
