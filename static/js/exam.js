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
  // Every question of the attempt (text and pictures only), so moving between questions needs
  // no network; without it (an old page) the htmx links fetch each question.
  const payloadEl = document.getElementById("exam-payload");
  const payload = payloadEl ? JSON.parse(payloadEl.textContent) : null;

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY));
      if (s && Array.isArray(s.queue)) return s;
    } catch (e) { /* private mode or corrupt entry: start clean */ }
    return { seq: 0, queue: [], known: {} };
  }
  const store = load();
  store.seq = Math.max(store.seq || 0, cfg.maxSeq || 0);
  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* storage full */ }
  }

  // What the candidate sees: the server's saved state, overlaid with saves still waiting.
  // A page reloaded offline comes from the service worker's copy, older than what this browser
  // has seen since: newer states it knows (by sequence number) win over the copy's.
  const state = Object.assign({}, cfg.state);
  store.known = store.known || {};
  Object.keys(store.known).forEach(function (p) {
    const k = store.known[p];
    if (!state[p] || (state[p][2] || 0) < k[2]) state[p] = k;
  });
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

  // --- questions from the payload -------------------------------------------------------------
  // The stems and figures were rendered and sanitised by the server exactly as the question
  // partial renders them; option texts are plain text.
  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }
  function pagerLink(id, pos, label) {
    const a = el("a", "button secondary", label);
    a.id = id;
    a.href = cfg.questionUrl + (pos + 1) + "/"; // the no-JS address of the same question
    a.dataset.position = String(pos);
    return a;
  }
  let reportedPos = currentPosition(); // the position the server last heard of
  function showQuestion(pos) {
    if (!payload || pos < 0 || pos >= payload.questions.length) return;
    const q = payload.questions[pos];
    const section = document.getElementById("question");
    section.dataset.position = String(pos);
    const h2 = section.querySelector("h2");
    h2.textContent = text.questionOf.replace("%(n)s", pos + 1).replace("%(c)s", cfg.count) + " ";
    h2.appendChild(el("span", "badge", payload.sections[q.s]));
    section.querySelector(".prose").innerHTML = q.h;
    const old = section.querySelector("figure.soal-figure");
    if (old) old.remove();
    if (q.f) {
      const fig = el("figure", "soal-figure");
      fig.innerHTML = q.f;
      section.querySelector(".prose").after(fig);
    }
    const list = section.querySelector("ul.options");
    list.replaceChildren();
    q.o.forEach(function (o, i) {
      const b = el("button", "option");
      b.type = "button";
      b.dataset.choice = String(i);
      b.setAttribute("aria-pressed", "false");
      b.appendChild(el("span", "letter", "ABCDE"[i] + "."));
      if (o[1]) {
        const f = el("span", "option-figure");
        f.setAttribute("aria-hidden", "true");
        f.innerHTML = o[1];
        b.appendChild(f);
      }
      b.appendChild(el("span", "", o[0]));
      const li = el("li");
      li.appendChild(b);
      list.appendChild(li);
    });
    const pager = section.querySelector("nav.pager");
    pager.replaceChildren();
    pager.appendChild(pos > 0 ? pagerLink("prev", pos - 1, "← " + text.prev) : el("span"));
    if (pos < cfg.count - 1) pager.appendChild(pagerLink("next", pos + 1, text.next + " →"));
    store.pos = pos;
    persist();
    render();
    if (section.getBoundingClientRect().top < 0) section.scrollIntoView();
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
    store.known[pos] = [choice, flagged, store.seq];
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
          delete store.known[item.position];
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
  // It also carries the current question, so a resumed attempt opens where the candidate was:
  // moving between questions itself sends nothing.
  function heartbeat() {
    if (closed || !cfg.heartbeatUrl) return;
    const focus = focusLosses;
    const pos = currentPosition();
    focusLosses = 0;
    lastContact = Date.now();
    fetch(cfg.heartbeatUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: {
        "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Attempt-Token": cfg.token,
      },
      body: JSON.stringify({ focus: focus, position: pos }),
    }).then(function (r) {
      if (r.ok) reportedPos = pos;
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (body.deadline) cfg.deadline = body.deadline;
        if (body.now) offset = body.now - Date.now();
        if (r.status === 403 && body.status === "locked") { closed = true; showLocked(body.message); }
      });
    }).catch(function () { focusLosses += focus; }); // offline: report it next time
  }
  setInterval(function () {
    if (Date.now() - lastContact >= 60e3 || focusLosses || currentPosition() !== reportedPos) {
      heartbeat();
    }
  }, 15e3);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      focusLosses += 1;
      if (currentPosition() !== reportedPos) heartbeat(); // the tab may be closing
    } else if (focusLosses) heartbeat();
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

  function forgetOfflineCopy() {
    if (!window.caches) return Promise.resolve();
    return caches.open(SW_CACHE).then(function (c) { return c.delete(location.pathname); })
      .catch(function () {});
  }
  function submit() {
    return fetch(cfg.submitUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf },
    }).then(function (r) {
      if (r.status >= 500) throw new Error("HTTP " + r.status);
      closed = true;
      localStorage.removeItem(KEY);
      return forgetOfflineCopy().then(function () { window.location.href = cfg.resultUrl; });
    });
  }

  // "Selesai" without a network: the hand-in waits for the network and goes by itself. The
  // server alone decides whether it (and the answers before it) arrived in time.
  let handingIn = false;
  function handInWhenOnline() {
    noticeEl.textContent = text.offlineFinish;
    delete noticeEl.dataset.position;
    noticeEl.hidden = false;
    if (handingIn) return;
    handingIn = true;
    (function attempt() {
      const retry = function () {
        setTimeout(attempt, 3000);
      };
      if (!navigator.onLine) { retry(); return; }
      waitForQueue(5000).then(function (empty) {
        if (!empty) { retry(); return; }
        submit().catch(retry);
      });
    })();
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
        waitForQueue(3000).then(submit).catch(handInWhenOnline);
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
  if (payload) {
    // Capture phase: the question is drawn here, before htmx would fetch it from the server.
    document.addEventListener("click", function (e) {
      const link = e.target.closest("#prev, #next, #grid a");
      if (!link || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      e.stopPropagation();
      if (gridPanel.classList.contains("open")) setSheet(false, false);
      // The server-drawn pager links name their question only in the address.
      const m = /\/(\d+)\/$/.exec(link.getAttribute("href") || "");
      showQuestion(link.dataset.position ? parseInt(link.dataset.position, 10) : m ? m[1] - 1 : 0);
      const next = document.getElementById(link.id === "prev" ? "prev" : "next");
      if ((link.id === "prev" || link.id === "next") && next) next.focus();
    }, true);
  }

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
    if (!navigator.onLine) {
      dialog.close();
      handInWhenOnline();
      return;
    }
    waitForQueue(5000).then(function (empty) {
      if (!empty) {
        document.getElementById("confirm-summary").textContent = text.offlineSubmit;
        return;
      }
      closed = true;
      submit();
    });
  });

  // --- reloading offline: a service worker keeps this page, its assets and the payload ---------
  const SW_CACHE = "cpns-exam";
  if (payload && cfg.swUrl && "serviceWorker" in navigator) {
    const firstVisit = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // A page the worker did not serve (the first visit) is not in its cache yet.
      if (!firstVisit || !reg.active) return;
      const urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (n) {
        urls.push(n.src || n.href);
      });
      reg.active.postMessage({ type: "keep", urls: urls });
    }).catch(function () { /* no worker (private mode, old browser): the exam works online */ });
  }

  if (payload && typeof store.pos === "number" && store.pos !== currentPosition()) {
    showQuestion(store.pos);
  }
  render();
  flush();
})();
