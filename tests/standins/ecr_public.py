"""ECR Public stand-in (moto has no `ecr-public`): the two calls Dockpass makes, over the AWS
JSON 1.1 protocol the SDK speaks (`X-Amz-Target: SpencerFrontendService.<Operation>`).

  GetAuthorizationToken   {"authorizationData": {"authorizationToken": base64("AWS:<password>"),
                          "expiresAt": epoch seconds}}; the password is `public-auth-token`
                          unless set, so a docker-registry stand-in can accept it
  DescribeRepositories    the repositories given to `add_repository`, paged `page_size` at a time

It runs in the test process (a thread), records every call's target and whether it was signed
(an `Authorization: AWS4-HMAC-SHA256 ... /us-east-1/ecr-public/aws4_request` header), and serves
127.0.0.1 only. Point the SDK at it with AWS_ENDPOINT_URL_ECR_PUBLIC.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time

PASSWORD = "public-auth-token"


class EcrPublic:
    def __init__(self, password: str = PASSWORD, ttl: int = 12 * 3600, page_size: int = 2):
        self.password = password
        self.ttl = ttl
        self.page_size = page_size
        self.repositories: list[dict] = []
        self.calls: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0) or 0)
                target = self.headers.get("X-Amz-Target", "")
                auth = self.headers.get("Authorization", "")
                outer.calls.append({"target": target,
                                    "signed": "/us-east-1/ecr-public/aws4_request" in auth})
                try:
                    req = json.loads(body or b"{}")
                except ValueError:
                    req = {}
                op = target.rsplit(".", 1)[-1]
                if op == "GetAuthorizationToken":
                    out = {"authorizationData": {
                        "authorizationToken": base64.b64encode(f"AWS:{outer.password}".encode()).decode(),
                        "expiresAt": time.time() + outer.ttl}}
                elif op == "DescribeRepositories":
                    start = int(req.get("nextToken") or 0)
                    page = outer.repositories[start:start + outer.page_size]
                    out = {"repositories": page}
                    if start + outer.page_size < len(outer.repositories):
                        out["nextToken"] = str(start + outer.page_size)
                else:
                    self._send(400, {"__type": "UnsupportedOperation", "message": op})
                    return
                self._send(200, out)

            def _send(self, status: int, doc: dict) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_repository(self, alias: str, name: str) -> None:
        self.repositories.append({
            "repositoryArn": f"arn:aws:ecr-public::123456789012:repository/{name}",
            "registryId": "123456789012",
            "repositoryName": name,
            "repositoryUri": f"public.ecr.aws/{alias}/{name}",
            "createdAt": time.time(),
        })

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
