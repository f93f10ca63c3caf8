"""gunicorn settings (read automatically from the working directory).

Processes, not threads: a Django request is CPU in Python, and threads of one process share one
interpreter lock. Measured on 2 cores (docs/PERFORMANCE.md §6, the 5,000-candidate start): with
4 workers x 16 threads a start took p50 1.1 s, with 8 workers x 1 thread p50 20–45 ms, while
answer saves at 1,000/s kept the same p99 (36 vs 38 ms) — enough saves are in flight across
eight processes for one WAL flush to serve several commits. Rule of thumb: 4 workers per core."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "8"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 30
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
