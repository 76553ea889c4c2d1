"""A minimal SMTP server that accepts every message and prints one line per message.

For the compose stack test (compose.stack-test.yaml): the scheduler's daily price email goes here,
and the test counts the `mail_sink: message` lines in the container's log. Standard library only,
so it runs from the app image. Not for production: it stores nothing and authenticates nobody.

    python scripts/mail_sink.py [PORT]     (default 1025, all addresses)
"""

from __future__ import annotations

import email
import socketserver
import sys
from email.policy import default as default_policy


class SMTPHandler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 mail_sink ready")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                self.reply("250 mail_sink")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (line := self.rfile.readline(1 << 20)) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(lines), policy=default_policy)
                print(f"mail_sink: message from {sender} to {','.join(recipients)} subject {message['Subject']!s}",
                      flush=True)
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1025
    with Server(("0.0.0.0", port), SMTPHandler) as server:
        print(f"mail_sink: listening on port {port}", flush=True)
        server.serve_forever()
