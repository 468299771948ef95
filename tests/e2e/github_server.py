#!/usr/bin/env python3
"""github_server.py - a local HTTPS server with the GitHub REST shape, for
tests/e2e/github_connector.sh and tests/e2e/secret_scan.sh.

Usage: github_server.py KEY_PEM CERT_PEM PORT_FILE SECRET_FILE

Listens on 127.0.0.1 (ephemeral port, written to PORT_FILE once ready).
Every request must carry "Authorization: Bearer <secret>" (or, for the
query-parameter credential test, ?access_token=<secret>), plus the headers
GitHub expects (Accept: application/vnd.github+json, X-GitHub-Api-Version,
User-Agent); otherwise 401 {"message": "Bad credentials"} or 400.
Routes (in-memory issues per repository):
  GET  /repos/{o}/{r}/issues               list (state filter, per_page)
  POST /repos/{o}/{r}/issues               create (title required, 422 if missing)
  POST /repos/{o}/{r}/issues/{n}/comments  comment (404 for an unknown issue)
Special repositories: "missing" -> 404, "limited" -> 403 with
x-ratelimit-remaining: 0.  An issue created with the title "ECHO" gets the
request's Authorization header as its body and title (a hostile server
echoing the credential; the proxy must redact it).
Nothing secret is ever printed."""
import json
import re
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY, CERT, PORT_FILE, SECRET_FILE = sys.argv[1:5]
with open(SECRET_FILE, "rb") as f:
    SECRET = f.read().strip().decode()

LOCK = threading.Lock()
ISSUES = {}      # (owner, repo) -> list of issues
COMMENTS = {}    # (owner, repo, number) -> list
STATS = {"auth_ok": 0, "auth_bad": 0}
NEXT_ID = [5000]

ISSUES_RE = re.compile(r"^/repos/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)/issues$")
COMMENTS_RE = re.compile(r"^/repos/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+)/issues/([0-9]+)/comments$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # never log (URLs may carry the query credential)
        pass

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def authorised(self, query):
        auth = self.headers.get("Authorization")
        qtok = query.get("access_token", [None])[0]
        ok = auth == "Bearer " + SECRET or (auth is None and qtok == SECRET)
        with LOCK:
            STATS["auth_ok" if ok else "auth_bad"] += 1
        if not ok:
            self.send_json(401, {"message": "Bad credentials",
                                 "documentation_url": "https://docs.github.com/rest"})
            return False
        for h, want in (("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")):
            if self.headers.get(h) != want:
                self.send_json(400, {"message": "missing or wrong header " + h})
                return False
        if not (self.headers.get("User-Agent") or "").startswith("fcp-connector-github/"):
            self.send_json(400, {"message": "missing User-Agent"})
            return False
        return True

    def route(self, method):
        u = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(u.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if u.path == "/stats":
            with LOCK:
                return self.send_json(200, dict(STATS))
        if not self.authorised(query):
            return
        m = ISSUES_RE.match(u.path)
        c = COMMENTS_RE.match(u.path)
        repo = (m or c).group(2) if (m or c) else None
        if repo == "missing":
            return self.send_json(404, {"message": "Not Found"})
        if repo == "limited":
            return self.send_json(403, {"message": "API rate limit exceeded"},
                                  {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000"})
        if m and method == "GET":
            key = (m.group(1), m.group(2))
            state = query.get("state", ["open"])[0]
            per_page = int(query.get("per_page", ["30"])[0])
            with LOCK:
                items = [i for i in ISSUES.get(key, []) if state == "all" or i["state"] == state]
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page:page * per_page]
            extra = {}
            if page * per_page < len(items):
                extra["Link"] = '<https://api.github.com/repos/%s/%s/issues?page=%d>; rel="next"' % (
                    key[0], key[1], page + 1)
            return self.send_json(200, chunk, extra)
        if m and method == "POST":
            try:
                doc = json.loads(raw)
            except ValueError:
                return self.send_json(400, {"message": "Problems parsing JSON"})
            if not isinstance(doc, dict) or not doc.get("title"):
                return self.send_json(422, {"message": "Validation Failed",
                                            "errors": [{"field": "title", "code": "missing_field"}]})
            key = (m.group(1), m.group(2))
            with LOCK:
                n = len(ISSUES.setdefault(key, [])) + 1
                title = doc["title"]
                body = doc.get("body")
                if title == "ECHO":
                    title = body = "echo " + (self.headers.get("Authorization") or "")
                issue = {"number": n, "title": title, "state": "open", "body": body,
                         "user": {"login": "fcp-bot"},
                         "labels": [{"name": x} for x in doc.get("labels", [])], "comments": 0,
                         "html_url": "https://github.com/%s/%s/issues/%d" % (key[0], key[1], n),
                         "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
                ISSUES[key].append(issue)
            return self.send_json(201, issue)
        if c and method == "POST":
            key = (c.group(1), c.group(2))
            n = int(c.group(3))
            with LOCK:
                known = any(i["number"] == n for i in ISSUES.get(key, []))
            if not known:
                return self.send_json(404, {"message": "Not Found"})
            try:
                doc = json.loads(raw)
            except ValueError:
                return self.send_json(400, {"message": "Problems parsing JSON"})
            with LOCK:
                NEXT_ID[0] += 1
                cid = NEXT_ID[0]
                COMMENTS.setdefault((key[0], key[1], n), []).append(doc.get("body"))
                for i in ISSUES[key]:
                    if i["number"] == n:
                        i["comments"] += 1
            return self.send_json(201, {"id": cid, "body": doc.get("body"),
                                        "html_url": "https://github.com/%s/%s/issues/%d#issuecomment-%d"
                                        % (key[0], key[1], n, cid),
                                        "created_at": "2026-01-01T00:00:00Z"})
        return self.send_json(404, {"message": "Not Found"})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
