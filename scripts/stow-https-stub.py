#!/usr/bin/python3
"""A throw-away STOW-RS endpoint over https for the TLS send tests (Orthanc 1.10 from Debian
crashes on its first TLS connection, so it cannot serve this).

    stow-https-stub.py CERT KEY USER:PASSWORD PORT_FILE LOG_FILE OWNER_PID

Serves https on 127.0.0.1 only (a free port, written to PORT_FILE once listening) with the
certificate chain CERT and key KEY. `POST /dicom-web/studies` with HTTP Basic USER:PASSWORD and
a multipart/related body of application/dicom parts answers 200 with a DICOM JSON
ReferencedSOPSequence listing every part's SOP Instance UID (read with pydicom), and appends
those UIDs to LOG_FILE, one a line; wrong credentials get 401 with WWW-Authenticate. It exits
when OWNER_PID does.
"""
import base64
import http.server
import io
import json
import os
import ssl
import sys
import threading
import time

import pydicom

cert, key, credentials, port_file, log_file, owner = sys.argv[1:7]
expected = "Basic " + base64.b64encode(credentials.encode()).decode()


def parts(body, content_type):
    """The bodies of a multipart/related request."""
    boundary = content_type.split("boundary=")[1].split(";")[0].strip('"').encode()
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        yield data[:-2] if data.endswith(b"\r\n") else data


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, payload, extra=()):
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/dicom+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != expected:
            self.reply(401, {}, [("WWW-Authenticate", 'Basic realm="stub"')])
            return
        if self.path.rstrip("/") != "/dicom-web/studies":
            self.reply(404, {})
            return
        uids = [pydicom.dcmread(io.BytesIO(p), force=True).SOPInstanceUID for p in parts(body, self.headers["Content-Type"])]
        with open(log_file, "a") as log:
            log.writelines(u + "\n" for u in uids)
        items = [{"00081155": {"vr": "UI", "Value": [u]}} for u in uids]
        self.reply(200, {"00081199": {"vr": "SQ", "Value": items}})

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)


def watch():
    while True:
        try:
            os.kill(int(owner), 0)
        except OSError:
            os._exit(0)
        time.sleep(1)


threading.Thread(target=watch, daemon=True).start()
server.serve_forever()
