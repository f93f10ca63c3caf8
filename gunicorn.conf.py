"""gunicorn settings (read automatically from the working directory).

Threads, not only processes: an answer save spends most of its time waiting for PostgreSQL to
flush the commit, and many saves in flight let one flush serve many commits (see
docs/PERFORMANCE.md, measured with 4 workers x 16 threads on 2 cores)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
keepalive = 30
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
