"""A local OpenAI-compatible chat-completions server for tests (127.0.0.1, any free port).

The key in the Authorization header decides the answer, as a real API would: "bad-key" gets 401,
"busy-key" gets 429, any other key a reply. Every request is kept in `received`.
"""
import http.server
import json
import threading

REPLY = "stub reply"
ERRORS = {"bad-key": (401, "invalid_api_key", "Incorrect API key provided: bad-***."),
          "busy-key": (429, "rate_limit_exceeded", "Rate limit reached for requests per min.")}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):                                                   # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        self.server.received.append({"path": self.path, "key": key, "body": body})
        if key in ERRORS:
            status, code, message = ERRORS[key]
            reply = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
        else:
            status = 200
            reply = {"id": "stub-1", "object": "chat.completion", "created": 0, "model": "stub",
                     "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": REPLY}}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class OpenAIStub:
    """``with OpenAIStub() as stub:`` a running server; ``stub.base_url`` for the client."""
    def __enter__(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.received = []
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    @property
    def received(self) -> list[dict]:
        return self.server.received

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
