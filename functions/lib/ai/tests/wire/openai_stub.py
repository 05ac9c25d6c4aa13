"""A tiny OpenAI-compatible chat completions server for the AI crate's tests (stdlib only).

    python3 openai_stub.py <port>

Binds 127.0.0.1 only. `POST /v1/chat/completions` answers from a script, one entry per request,
then with the default reply. Each entry is `{"status": 200, "content": "...", "headers": {...},
"body": {...}}`: `content` becomes `choices[0].message.content`; `body` replaces the whole answer.

- `POST /_stub/script` with a JSON list replaces the script and clears the request log.
- `GET /_stub/requests` lists the requests received: `{"headers": {...}, "body": {...}}`.
- `GET /_stub/health` answers 200 once the server is up.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SCRIPT = []
REQUESTS = []
DEFAULT = {"status": 200, "content": "{}"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def do_GET(self):
        if self.path == "/_stub/health":
            self.reply(200, {"status": "ok"})
        elif self.path == "/_stub/requests":
            with LOCK:
                self.reply(200, list(REQUESTS))
        else:
            self.reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        if self.path == "/_stub/script":
            script = self.read_json()
            with LOCK:
                SCRIPT[:] = script
                REQUESTS.clear()
            self.reply(200, {"status": "ok"})
            return
        if self.path != "/v1/chat/completions":
            self.reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        body = self.read_json()
        with LOCK:
            REQUESTS.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            entry = SCRIPT.pop(0) if SCRIPT else DEFAULT
        status = entry.get("status", 200)
        if "body" in entry:
            answer = entry["body"]
        elif status >= 400:
            answer = {"error": {"message": entry.get("message", "scripted failure"), "type": "server_error", "code": None}}
        else:
            content = entry.get("content", "")
            answer = {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": entry.get("finish_reason", "stop"),
                    }
                ],
                "usage": {
                    "prompt_tokens": entry.get("prompt_tokens", 120),
                    "completion_tokens": entry.get("completion_tokens", 80),
                    "total_tokens": entry.get("prompt_tokens", 120) + entry.get("completion_tokens", 80),
                },
            }
        self.reply(status, answer, entry.get("headers"))


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
