"""Give a starting worker the tasks a killed worker was holding, at once.

With `acks_late`, a task stays in Redis' `unacked` hash from delivery until its worker
acknowledges it. A worker that dies without shutting down (SIGKILL, out of memory, the machine
lost) cannot put its tasks back, so kombu restores them only once they are older than the
visibility timeout (120 s): a bulk build or the scoring of a submitted exam waits two minutes
after the worker is back. The fault campaign measured exactly that.

A worker that starts knows something kombu does not: every task delivered before it started went
to some other worker. If no live worker holds such a task, its worker is gone and the task can be
put back now. "Holds" is asked of the live workers themselves (`inspect` active, reserved and
scheduled), so with several workers only the dead one's tasks come back. Putting back uses
kombu's own `restore_by_tag`, a Redis transaction on the task's entry, so a task restored here
and by kombu's periodic restore at the same moment is queued once. The tasks are idempotent, so
what is left costs a repeated no-op, never a wrong result: a live worker receiving a task between
our look and its reply, or a live worker that cannot answer within REPLY_TIMEOUT (a `--pool solo`
worker busy in a task does not answer until it is done) and is taken for dead.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from celery import Celery

logger = logging.getLogger(__name__)

# How long to wait for the live workers' answers. On one machine or a LAN they answer in
# milliseconds; the wait is only paid when there is something to restore.
REPLY_TIMEOUT = 0.5


def _task_ids(replies: dict | None) -> set[str]:
    """Task ids from an `inspect` reply ({worker: [request, …]}); scheduled entries nest the
    request one level down."""
    ids: set[str] = set()
    for requests in (replies or {}).values():
        for entry in requests:
            request = entry.get("request", entry)
            if request.get("id"):
                ids.add(request["id"])
    return ids


def _held_by_live_workers(app: Celery, hostname: str) -> set[str] | None:
    """Ids of the tasks other live workers hold, or None when no other worker answers."""
    live = [name for reply in app.control.ping(timeout=REPLY_TIMEOUT) for name in reply]
    live = [name for name in live if name != hostname]
    if not live:
        return None
    inspect = app.control.inspect(destination=live, timeout=REPLY_TIMEOUT)
    return (
        _task_ids(inspect.active()) | _task_ids(inspect.reserved()) | _task_ids(inspect.scheduled())
    )


def _message_task_id(raw: bytes) -> str | None:
    message = json.loads(raw)[0]
    return (message.get("headers") or {}).get("id") or (message.get("properties") or {}).get(
        "correlation_id"
    )


def restore_orphaned_tasks(app: Celery, *, hostname: str, started_at: float) -> int:
    """Put back the tasks delivered before `started_at` that no live worker holds; return how
    many. A no-op on brokers other than Redis (they give a dead consumer's messages back when
    its connection drops)."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        if not hasattr(channel, "unacked_index_key"):
            return 0
        client = channel.client
        tags: Iterable[bytes] = client.zrange(
            channel.unacked_index_key, 0, started_at, byscore=True
        )
        if not tags:
            return 0
        held = _held_by_live_workers(app, hostname) or set()
        restored = 0
        for tag in tags:
            raw = client.hget(channel.unacked_key, tag)
            if raw is None:  # acknowledged or restored meanwhile
                continue
            if _message_task_id(raw) in held:
                continue
            channel.qos.restore_by_tag(tag, client)
            restored += 1
    if restored:
        logger.warning("restored %d task(s) held by a worker that is gone", restored)
    return restored
