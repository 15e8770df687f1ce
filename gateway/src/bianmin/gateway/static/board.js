// The hall's display board. Loads /queue/v1/halls/{hall}/board, then follows the hall's call stream
// (server-sent events through the gateway, resumed with Last-Event-ID, or ?after= on a new
// connection); polls the board and the hall's live figures to catch what the stream does not say
// (a counter finishing or closing, people waiting per line). Names are shown as the API masks them.
"use strict";

(() => {
  const API = "/queue/v1/halls/";
  const BOARD_POLL_MS = 15000;
  const STATS_POLL_MS = 10000;
  const RECENT = 8;
  const DIGITS = "零一二三四五六七八九";
  const STATE_TEXT = { open: "", paused: "暂停服务", closed: "暂停服务" };
  const CALL_TEXT = { called: "请到窗口", serving: "办理中" };
  const KIND_TEXT = { recall: "重呼" };

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const timeFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
  const clockFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const dateFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric", weekday: "long" });

  const state = {
    hall: null,
    lastSeq: 0,
    counters: [],
    calls: new Map(),
    announced: new Set(),
    source: null,
    retryMs: 1000,
    retryTimer: null,
    speaking: false,
  };

  function setConn(kind, text) {
    const conn = $("conn");
    conn.dataset.state = kind;
    $("conn-text").textContent = text;
  }

  function tick() {
    const now = new Date();
    $("date").textContent = dateFmt.format(now);
    $("time").textContent = clockFmt.format(now);
  }

  async function getJSON(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // ---- speech -----------------------------------------------------------------------------------
  function spokenNumber(number) {
    return number.replace(/\d/g, (d) => DIGITS[Number(d)]);
  }

  function speak(call) {
    if (!state.speaking || !("speechSynthesis" in window)) return;
    const text = (call.text || `请${call.number}号到${call.counter_number}号窗口办理`).replace(call.number, spokenNumber(call.number));
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    const voice = window.speechSynthesis.getVoices().find((v) => v.lang && v.lang.replace("_", "-").toLowerCase().startsWith("zh-cn"));
    if (voice) utterance.voice = voice;
    window.speechSynthesis.speak(utterance);
  }

  function setSpeaking(on) {
    state.speaking = on;
    const button = $("speak");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    $("speak-text").textContent = on ? "语音播报：开" : "语音播报：关";
    try { localStorage.setItem("bianmin.board.speak", on ? "1" : "0"); } catch (_) { /* storage may be off */ }
    if (!on && "speechSynthesis" in window) window.speechSynthesis.cancel();
  }

  // ---- rendering --------------------------------------------------------------------------------
  function layoutCounters(n) {
    const box = $("counters");
    const ratio = box.clientWidth / Math.max(1, box.clientHeight);
    let best = { cols: 1, rows: Math.max(1, n), score: -1 };
    for (let cols = 1; cols <= Math.max(1, n); cols += 1) {
      const rows = Math.ceil(n / cols);
      const w = ratio / cols;
      const h = 1 / rows;
      const score = Math.min(w / 1.6, h);
      if (score > best.score) best = { cols, rows, score };
    }
    box.style.setProperty("--cols", String(best.cols));
    box.style.setProperty("--rows", String(best.rows));
  }

  function renderCounters(flashNumber) {
    const box = $("counters");
    box.replaceChildren();
    if (!state.counters.length) {
      box.append(el("div", "empty", "本大厅暂未设置窗口"));
    }
    for (const counter of state.counters) {
      const card = el("article", "card");
      card.dataset.counter = String(counter.number);
      const head = el("div", "card-head");
      head.append(el("span", "card-no", `${counter.number}号窗口`), el("span", "card-name", counter.name || ""));
      const body = el("div", "card-body");
      const current = counter.current;
      if (current) {
        card.dataset.call = current.state;
        body.append(el("div", "card-num", current.number));
        if (current.name) body.append(el("div", "card-who", current.name));
        card.append(head, body, el("div", "card-state", CALL_TEXT[current.state] || ""));
      } else {
        const shut = counter.state !== "open";
        card.classList.add(shut ? "shut" : "idle");
        body.append(el("div", "card-num", shut ? "暂停服务" : "空闲"));
        card.append(head, body, el("div", "card-state", STATE_TEXT[counter.state] || ""));
      }
      if (flashNumber === counter.number) card.classList.add("flash");
      box.append(card);
    }
    layoutCounters(Math.max(1, state.counters.length));
  }

  function renderLatest(call, flash) {
    const body = $("latest-body");
    body.replaceChildren();
    if (!call) {
      body.append(el("span", "latest-idle", "请留意叫号，按号码到对应窗口办理"));
      return;
    }
    body.append("请", el("span", "num", call.number), "号");
    if (call.name) body.append(el("span", "who", call.name));
    body.append("到", el("span", "num", call.counter_number), "号窗口办理");
    const latest = $("latest");
    latest.classList.remove("flash");
    if (flash) {
      void latest.offsetWidth;
      latest.classList.add("flash");
    }
  }

  function sortedCalls() {
    return [...state.calls.values()].sort((a, b) => b.seq - a.seq);
  }

  function renderRecent() {
    const list = $("recent");
    list.replaceChildren();
    for (const call of sortedCalls().slice(0, RECENT)) {
      const item = el("li");
      item.dataset.seq = String(call.seq);
      const left = el("span");
      left.append(el("span", "r-num", call.number));
      if (call.name) left.append(el("span", "r-who", call.name));
      if (KIND_TEXT[call.kind]) left.append(el("span", "r-kind", KIND_TEXT[call.kind]));
      item.append(left, el("span", "r-to", `${call.counter_number}号窗口`));
      list.append(item);
    }
  }

  function renderLines(stats) {
    $("waiting-total").textContent = String(stats.waiting);
    const list = $("lines");
    list.replaceChildren();
    for (const line of stats.lines) {
      const item = el("li");
      item.dataset.line = line.line;
      if (line.waiting >= 10) item.classList.add("busy");
      item.append(el("span", "l-prefix", line.line), el("span", "l-name", line.name), el("span", "", "等候"),
                  el("span", "l-count", line.waiting), el("span", "", "人"));
      if (line.waiting && Number(line.longest_wait_minutes) >= 1) {
        item.append(el("span", "l-long", `最长 ${Math.round(Number(line.longest_wait_minutes))} 分钟`));
      }
      list.append(item);
    }
    const waiting = document.querySelector(".waiting");
    waiting.classList.remove("stale");
    $("waiting-meta").textContent = `开放窗口 ${stats.open_counters} 个 · 今日已办 ${stats.done_today} · 更新于 ${timeFmt.format(new Date())}`;
  }

  function rememberCall(call) {
    state.calls.set(call.seq, call);
    if (state.calls.size > 50) {
      for (const old of sortedCalls().slice(50)) state.calls.delete(old.seq);
    }
  }

  function applyCall(call) {
    const counter = state.counters.find((c) => c.number === call.counter_number);
    if (counter) counter.current = { number: call.number, state: "called", name: call.name, called_at: call.called_at };
    for (const other of state.counters) {
      if (other !== counter && other.current && other.current.number === call.number) other.current = null;
    }
  }

  // ---- data -------------------------------------------------------------------------------------
  function onCall(call) {
    if (state.announced.has(call.seq)) return;
    state.announced.add(call.seq);
    state.lastSeq = Math.max(state.lastSeq, call.seq);
    rememberCall(call);
    applyCall(call);
    renderCounters(call.counter_number);
    renderLatest(call, true);
    renderRecent();
    speak(call);
  }

  async function loadBoard() {
    const board = await getJSON(`${API}${encodeURIComponent(state.hall)}/board`);
    $("hall-name").textContent = board.hall_name;
    document.title = `${board.hall_name} · 叫号显示屏`;
    state.counters = board.counters.map((c) => ({ ...c }));
    for (const call of board.last_calls) rememberCall(call);
    // Calls the stream brought after this board was read stay applied.
    for (const call of sortedCalls().reverse()) if (call.seq > board.last_seq) applyCall(call);
    state.lastSeq = Math.max(state.lastSeq, board.last_seq);
    renderCounters(null);
    renderRecent();
    renderLatest(sortedCalls()[0] || null, false);
  }

  async function loadStats() {
    try {
      renderLines(await getJSON(`${API}${encodeURIComponent(state.hall)}/stats`));
    } catch (_) {
      document.querySelector(".waiting").classList.add("stale");
      $("waiting-meta").textContent = "等候人数暂未更新";
    }
  }

  function connect() {
    clearTimeout(state.retryTimer);
    if (state.source) state.source.close();
    setConn(state.source ? "reconnecting" : "connecting", state.source ? "正在重新连接…" : "正在连接…");
    const source = new EventSource(`${API}${encodeURIComponent(state.hall)}/stream?after=${state.lastSeq}`);
    state.source = source;
    source.onopen = () => {
      state.retryMs = 1000;
      setConn("live", "实时连接");
    };
    source.addEventListener("call", (event) => {
      try {
        onCall(JSON.parse(event.data));
      } catch (error) {
        console.error("bad call event", error);
      }
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        setConn("reconnecting", "连接中断，正在重连…");
        return;
      }
      // Closed for good (the gateway answered an error): open a new stream after a pause, resuming after the last call.
      const wait = state.retryMs;
      state.retryMs = Math.min(state.retryMs * 2, 30000);
      setConn("down", `连接断开，${Math.round(wait / 1000)} 秒后重试`);
      state.retryTimer = setTimeout(async () => {
        try { await loadBoard(); } catch (_) { /* the stream's retry says enough */ }
        connect();
      }, wait);
    };
  }

  function showNotice(text) {
    const notice = $("notice");
    notice.textContent = text;
    notice.hidden = false;
  }

  async function start() {
    const board = document.getElementById("board");
    board.dataset.ready = "false";
    setInterval(tick, 1000);
    tick();
    const stored = (() => { try { return localStorage.getItem("bianmin.board.speak"); } catch (_) { return null; } })();
    setSpeaking(new URLSearchParams(location.search).get("speak") === "1" || stored === "1");
    $("speak").addEventListener("click", () => setSpeaking(!state.speaking));
    window.addEventListener("resize", () => layoutCounters(Math.max(1, state.counters.length)));

    const match = location.pathname.match(/^\/board\/([^/]+)\/?$/);
    if (!match) {
      await showPicker();
      return;
    }
    state.hall = decodeURIComponent(match[1]);
    for (;;) {
      try {
        await loadBoard();
        break;
      } catch (error) {
        if (error.status === 404) {
          setConn("down", "未找到大厅");
          showNotice(`未找到大厅 ${state.hall}`);
          return;
        }
        setConn("down", "无法读取叫号数据，稍后重试");
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
    connect();
    loadStats();
    setInterval(loadStats, STATS_POLL_MS);
    setInterval(() => loadBoard().catch(() => undefined), BOARD_POLL_MS);
    board.dataset.ready = "true";
  }

  async function showPicker() {
    document.querySelector(".middle").hidden = true;
    document.querySelector(".latest").hidden = true;
    document.querySelector(".waiting").hidden = true;
    $("conn").hidden = true;
    $("picker").hidden = false;
    try {
      const halls = await getJSON("/queue/v1/halls");
      for (const hall of halls) {
        const link = el("a", "", `${hall.name}（${hall.code}）`);
        link.href = `/board/${encodeURIComponent(hall.code)}`;
        const item = el("li");
        item.append(link);
        $("hall-list").append(item);
      }
    } catch (_) {
      $("hall-list").append(el("li", "", "暂时无法读取大厅列表"));
    }
  }

  start();
})();
