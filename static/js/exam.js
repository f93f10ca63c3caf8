// The exam screen: every click is saved at once with a per-attempt sequence number; when the
// network drops, saves wait in localStorage and go out in order when it returns. The server's
// deadline drives the countdown; the server alone decides what is late.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("exam-config").textContent);
  const text = JSON.parse(document.getElementById("exam-text").textContent);
  const KEY = "cpns-attempt-" + cfg.uuid;
  const csrf = document.querySelector("#finish-form [name=csrfmiddlewaretoken]").value;
  const stateEl = document.getElementById("save-state");
  const timerEl = document.getElementById("timer");
  const warnEl = document.getElementById("time-warning");
  const dialog = document.getElementById("confirm-finish");
  const noticeEl = document.getElementById("save-notice");

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY));
      if (s && Array.isArray(s.queue)) return s;
    } catch (e) { /* private mode or corrupt entry: start clean */ }
    return { seq: 0, queue: [] };
  }
  const store = load();
  store.seq = Math.max(store.seq || 0, cfg.maxSeq || 0);
  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* storage full */ }
  }

  // What the candidate sees: the server's saved state, overlaid with saves still waiting.
  const state = Object.assign({}, cfg.state);
  store.queue.forEach(function (item) { state[item.position] = [item.choice, item.flagged]; });

  let offset = cfg.serverNow - Date.now();
  let lastContact = Date.now(); // last exchange with the server (a save or a heartbeat)
  let focusLosses = 0; // times the candidate left the exam tab since the last report
  let inflight = false;
  let closed = false; // the server said no more answers
  let finishing = false; // the countdown reached zero

  function currentPosition() {
    const q = document.getElementById("question");
    return q ? parseInt(q.dataset.position, 10) : 0;
  }

  function render() {
    const pos = currentPosition();
    const st = state[pos] || [null, false];
    document.querySelectorAll("#question .option").forEach(function (b) {
      b.setAttribute("aria-pressed", String(parseInt(b.dataset.choice, 10) === st[0]));
    });
    const flag = document.getElementById("flag");
    if (flag) flag.checked = !!st[1];
    const grid = document.getElementById("grid");
    document.querySelectorAll("#grid a").forEach(function (a) {
      const p = parseInt(a.dataset.position, 10);
      const s = state[p];
      const answered = !!s && s[0] !== null && s[0] !== undefined;
      a.classList.toggle("answered", answered);
      a.classList.toggle("flagged", !!s && !!s[1]);
      a.classList.toggle("current", p === pos);
      // The cell's state in words too: fill and corner mark are not for everyone.
      a.setAttribute("aria-label", a.dataset.label + ": " +
        (answered ? grid.dataset.answered : grid.dataset.unanswered) +
        (s && s[1] ? ", " + grid.dataset.flagged : ""));
      if (p === pos) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    });
  }

  function showState(kind) {
    stateEl.classList.remove("pending", "error");
    if (kind === "saved") {
      stateEl.textContent = text.saved;
    } else if (kind === "saving") {
      stateEl.textContent = text.saving;
    } else if (kind === "closed") {
      stateEl.textContent = text.closed;
      stateEl.classList.add("error");
    } else {
      stateEl.textContent = store.queue.length + " " + text.pending;
      stateEl.classList.add("pending");
    }
  }

  // Sequence numbers order the saves of every tab and device of this attempt: the server's
  // clock in ms at the click times 1024, plus a random id of this page load. Two tabs never
  // send the same number, and the later click has the larger one (to within the estimate's
  // error, half a round trip). The estimate is the midpoint of the latest exchange, starting
  // with the page load itself (not when this script happens to run).
  const TAB = crypto.getRandomValues(new Uint16Array(1))[0] % 1024;
  let seqOffset = offset;
  function clockSample(serverNow, sentAt, receivedAt) {
    seqOffset = serverNow - (sentAt + receivedAt) / 2;
  }
  const nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (nav && nav.responseStart > 0) {
    clockSample(cfg.serverNow, performance.timeOrigin + nav.requestStart,
      performance.timeOrigin + nav.responseStart);
  }
  function nextSeq() {
    let seq = Math.floor(Date.now() + seqOffset) * 1024 + TAB;
    if (seq <= store.seq) seq = (Math.floor(store.seq / 1024) + 1) * 1024 + TAB;
    return seq;
  }

  function record(pos, choice, flagged) {
    if (closed) return;
    state[pos] = [choice, flagged];
    if (noticeEl.dataset.position === String(pos)) noticeEl.hidden = true; // answered anew
    store.seq = nextSeq();
    // The newest state of an item supersedes any older one still waiting for it.
    store.queue = store.queue.filter(function (i) { return i.position !== pos; });
    store.queue.push({ position: pos, choice: choice, flagged: flagged, seq: store.seq });
    persist();
    render();
    flush();
  }

  let retryTimer = null;
  function flush() {
    if (inflight || closed) return Promise.resolve();
    if (!store.queue.length) { showState("saved"); return Promise.resolve(); }
    inflight = true;
    showState("saving");
    const item = store.queue[0];
    const sentAt = Date.now();
    return fetch(cfg.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Attempt-Token": cfg.token,
      },
      body: JSON.stringify(item),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (body.now) offset = body.now - Date.now();
        if (body.now) clockSample(body.now, sentAt, Date.now());
        if (body.deadline) cfg.deadline = body.deadline; // a proctor may have added time
        lastContact = Date.now();
        inflight = false;
        if (r.status === 403 && body.status === "locked") {
          // The proctor moved this attempt to another device: nothing more goes out from
          // here; what waits in the queue stays in this browser's storage.
          closed = true;
          showLocked(body.message);
          return;
        }
        if (r.ok && body.status === "stale") {
          // A newer save from another tab or device holds this item: never claim ours was
          // kept. Show the server's answer (unless a newer click here is still waiting).
          store.queue = store.queue.filter(function (i) { return i.seq !== item.seq; });
          persist();
          if (!store.queue.some(function (i) { return i.position === item.position; })) {
            state[item.position] = [body.choice, !!body.flagged];
            render();
            noticeEl.textContent = body.message;
            noticeEl.dataset.position = String(item.position);
            noticeEl.hidden = false;
          }
          return flush();
        }
        if (r.ok || r.status === 400 || r.status === 404) {
          // Saved, or a save that can never succeed.
          store.queue = store.queue.filter(function (i) { return i.seq !== item.seq; });
          persist();
          return flush();
        }
        if (r.status === 409) {
          closed = true;
          store.queue = [];
          persist();
          showState("closed");
          window.location.href = cfg.resultUrl;
          return;
        }
        throw new Error("HTTP " + r.status);
      });
    }).catch(function () {
      inflight = false;
      showState("pending");
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, 3000);
    });
  }
  window.addEventListener("online", flush);

  function showLocked(message) {
    stateEl.classList.remove("pending");
    stateEl.classList.add("error");
    stateEl.textContent = text.closed;
    noticeEl.textContent = message;
    noticeEl.hidden = false;
  }

  // --- presence ----------------------------------------------------------------------------
  // The proctor's console sees a working candidate through the saves; an idle page sends a
  // small heartbeat instead (once a minute at most), carrying how often the candidate left
  // the exam tab. Its answer carries the deadline, so added minutes reach an idle page too.
  function heartbeat() {
    if (closed || !cfg.heartbeatUrl) return;
    const focus = focusLosses;
    focusLosses = 0;
    lastContact = Date.now();
    fetch(cfg.heartbeatUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Attempt-Token": cfg.token,
      },
      body: JSON.stringify({ focus: focus }),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (body.deadline) cfg.deadline = body.deadline;
        if (body.now) offset = body.now - Date.now();
        if (r.status === 403 && body.status === "locked") { closed = true; showLocked(body.message); }
      });
    }).catch(function () { focusLosses += focus; }); // offline: report it next time
  }
  setInterval(function () {
    if (Date.now() - lastContact >= 60e3 || focusLosses) heartbeat();
  }, 15e3);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") focusLosses += 1;
    else if (focusLosses) heartbeat();
  });

  function waitForQueue(ms) {
    const until = Date.now() + ms;
    return new Promise(function (resolve) {
      (function check() {
        if (!store.queue.length || Date.now() > until) return resolve(!store.queue.length);
        flush();
        setTimeout(check, 250);
      })();
    });
  }

  function submit() {
    return fetch(cfg.submitUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf },
    }).then(function () {
      closed = true;
      localStorage.removeItem(KEY);
      window.location.href = cfg.resultUrl;
    });
  }

  // --- timer --------------------------------------------------------------------------------
  let warned = 0;
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    const remaining = cfg.deadline - (Date.now() + offset);
    if (remaining <= 0) {
      timerEl.textContent = "00:00";
      if (!finishing) {
        finishing = true;
        showState("closed");
        // Last chance for waiting answers (the server allows a few seconds of grace).
        waitForQueue(3000).then(submit).catch(function () {
          window.location.href = cfg.resultUrl;
        });
      }
      return;
    }
    const s = Math.floor(remaining / 1000);
    const h = Math.floor(s / 3600);
    timerEl.textContent = (h ? h + ":" : "") + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    timerEl.classList.toggle("warn", remaining <= 10 * 60e3);
    timerEl.classList.toggle("danger", remaining <= 5 * 60e3);
    if (remaining <= 5 * 60e3 && warned < 2) {
      warned = 2; warnEl.textContent = text.warn5; warnEl.hidden = false;
    } else if (remaining <= 10 * 60e3 && warned < 1) {
      warned = 1; warnEl.textContent = text.warn10; warnEl.hidden = false;
    }
  }
  tick();
  setInterval(tick, 1000);

  // --- input ----------------------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    const option = e.target.closest("#question .option");
    if (option) {
      const pos = currentPosition();
      record(pos, parseInt(option.dataset.choice, 10), !!(state[pos] || [])[1]);
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.id === "flag") {
      const pos = currentPosition();
      const st = state[pos] || [null, false];
      record(pos, st[0] === undefined ? null : st[0], e.target.checked);
    }
  });
  document.addEventListener("keydown", function (e) {
    if (dialog.open || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.matches("input[type=text], textarea")) return;
    const key = e.key.toLowerCase();
    const letters = "abcde";
    if (letters.includes(key) && key.length === 1) {
      const b = document.querySelector('#question .option[data-choice="' + letters.indexOf(key) + '"]');
      if (b) { b.click(); e.preventDefault(); }
    } else if (key === "arrowleft" || key === "arrowright") {
      const link = document.getElementById(key === "arrowleft" ? "prev" : "next");
      if (link) { link.click(); e.preventDefault(); }
    } else if (key === "r") {
      const flag = document.getElementById("flag");
      if (flag) { flag.checked = !flag.checked; flag.dispatchEvent(new Event("change", { bubbles: true })); }
    }
  });
  document.body.addEventListener("htmx:afterSwap", render);

  // --- the question grid: a sheet on narrow screens (always shown beside the question on wide) ---
  const gridPanel = document.getElementById("grid-panel");
  const gridToggle = document.getElementById("grid-toggle");
  function setSheet(open, refocus) {
    gridPanel.classList.toggle("open", open);
    gridToggle.setAttribute("aria-expanded", String(open));
    if (open) {
      const cell = gridPanel.querySelector("#grid a.current") || gridPanel.querySelector("#grid a");
      if (cell) cell.focus();
    } else if (refocus) {
      gridToggle.focus();
    }
  }
  gridToggle.addEventListener("click", function () {
    setSheet(!gridPanel.classList.contains("open"), true);
  });
  document.getElementById("grid-close").addEventListener("click", function () { setSheet(false, true); });
  document.addEventListener("click", function (e) {
    if (!gridPanel.classList.contains("open")) return;
    if (e.target.closest("#grid a")) setSheet(false, false); // htmx fetches the chosen question
    else if (!e.target.closest("#grid-panel, #grid-toggle")) setSheet(false, false);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && gridPanel.classList.contains("open")) { setSheet(false, true); e.preventDefault(); }
  });

  // --- finishing ------------------------------------------------------------------------------
  document.getElementById("finish").addEventListener("click", function () {
    let unanswered = 0, flagged = 0;
    for (let p = 0; p < cfg.count; p++) {
      const s = state[p];
      if (!s || s[0] === null || s[0] === undefined) unanswered++;
      if (s && s[1]) flagged++;
    }
    document.getElementById("confirm-summary").textContent =
      text.summary.replace("%(u)s", unanswered).replace("%(f)s", flagged);
    dialog.showModal();
  });
  document.getElementById("cancel-finish").addEventListener("click", function () { dialog.close(); });
  document.getElementById("finish-form").addEventListener("submit", function (e) {
    e.preventDefault();
    waitForQueue(5000).then(function (empty) {
      if (!empty) {
        document.getElementById("confirm-summary").textContent = text.offlineSubmit;
        return;
      }
      closed = true;
      submit();
    });
  });

  render();
  flush();
})();
