#!/usr/bin/env python3
"""Mails per second that one email function sends into the local catcher (maildev).

Invokes the email function itself (cargo lambda watch, as the SQS event source mapping would),
one batch of 10 SQS records at a time, so exactly one function instance works; every record is
a distinct marketing mail (rendered from its template, checked against the suppression list,
claimed and recorded in DynamoDB, delivered over SMTP). Times from the first invocation until
maildev holds every mail. Then re-sends the same batches to show that none is sent twice.
Loopback only, bounded. Usage: local/bench/mail.py [N] (default 300 mails) on a running stack.
MAIL_BENCH_LAMBDA and MAIL_BENCH_MAILDEV point it at a function and a catcher on other ports.
"""
import json
import os
import sys
import time
import urllib.request
import uuid

LAMBDA = os.environ.get("MAIL_BENCH_LAMBDA", "http://127.0.0.1:9000") + "/2015-03-31/functions/email/invocations"
MAILDEV = os.environ.get("MAIL_BENCH_MAILDEV", "http://127.0.0.1:1080")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
BATCH = 10


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


def caught(run):
    with urllib.request.urlopen(MAILDEV + "/api/email", timeout=30) as response:
        return sum(1 for m in json.loads(response.read()) if run in (m.get("subject") or ""))


def record(run, i):
    body = {
        "version": 1,
        "kind": "email.requested",
        "idempotency_key": f"bench:{run}:{i}",
        "tenant_id": "6f1c3a52-0c1e-4a39-9d5e-1d2a9f0c4b11",
        "store_id": "7a2d4b63-1d2f-4b4a-8e6f-2e3b0a1d5c22",
        "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "correlation_id": f"bench-{run}",
        "payload": {
            "template": "welcome",
            "to": f"bench-{i}@example.com",
            "category": {"kind": "marketing", "unsubscribe_url": f"http://127.0.0.1:8787/v1/public/stores/x/unsubscribe/{i}"},
            "data": {"greeting": f"Hi reader {i},", "store_url": "http://bench.localhost:8788"},
            "branding": {"store_name": f"Bench {run}", "accent_color": "#0f766e"},
        },
    }
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": f"bench-{i}",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "awsRegion": "us-east-1",
    }


def main():
    run = uuid.uuid4().hex[:8]
    batches = [[record(run, i) for i in range(start, min(start + BATCH, N))] for start in range(0, N, BATCH)]
    # Build and start the function first, with a mail of another run (not counted below).
    post(LAMBDA, {"Records": [record(uuid.uuid4().hex[:8], 0)]})
    failed = 0
    started = time.monotonic()
    for batch in batches:
        failed += len(post(LAMBDA, {"Records": batch}).get("batchItemFailures", []))
    handled = time.monotonic() - started
    deadline = time.monotonic() + 120
    while caught(run) < N - failed and time.monotonic() < deadline:
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    got = caught(run)
    print(f"mails: {N} in batches of {BATCH}, failed: {failed}, in the catcher: {got}")
    print(f"function time: {handled:.2f} s ({N / handled:.1f} mails/s); until all caught: {elapsed:.2f} s ({got / elapsed:.1f} mails/s)")
    for batch in batches:
        post(LAMBDA, {"Records": batch})
    time.sleep(1)
    print(f"after re-delivering every batch: {caught(run)} in the catcher (duplicates sent: {caught(run) - got})")


if __name__ == "__main__":
    main()
