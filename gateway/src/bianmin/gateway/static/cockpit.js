// The data cockpit (数据驾驶舱). Reads /cockpit/v1/overview for the chosen period as a staff member
// signed in at the gateway (POST /auth/login; the access token is renewed with the refresh token and
// revoked on logout) or with an API key (kept in sessionStorage, or taken once from the URL fragment
// #key=...); both are bearer credentials kept in this tab only. It shows every figure with
// its definition, and draws the trends from the services' own stats routes, one request per bucket.
// A service that did not answer is marked wherever its figures would be.
"use strict";

(() => {
  const KEY_STORE = "bianmin.cockpit.key";
  const REFRESH_STORE = "bianmin.cockpit.refresh";
  const SERVICES = [
    ["catalog", "政务服务"], ["queue", "窗口排队"], ["consult", "咨询投诉"],
    ["bidding", "公共资源交易"], ["guarantee", "电子保函"], ["credit", "信用监管"], ["webhooks", "事件推送"],
  ];
  const SERVICE_NAME = Object.fromEntries(SERVICES);
  const LABELS = {
    catalog: { items_published: "已发布事项", applications_received: "受理办件", online_receipt_rate: "网上收件率",
               applications_completed: "办结办件", applications_overdue: "超期办件", average_handling_days: "平均办理时长",
               satisfaction_rate: "好评率", policy_completion_rate: "政策兑现完成率" },
    queue: { tickets: "取号量", tickets_per_hour: "分时取号量", wait_mean: "平均等候时长", wait_p90: "90% 等候不超过",
             service_mean: "平均办理时长", service_p90: "90% 办理不超过", no_show_rate: "过号率", satisfaction_rate: "窗口好评率" },
    consult: { consultations_received: "收到咨询", consultations_answered: "已答复咨询", on_time_rate: "按时答复率",
               first_response_hours_p50: "首次响应（中位）", first_response_hours_p90: "首次响应（90%）", escalations: "催办升级",
               satisfaction_rate: "咨询满意率", unanswered: "未答复咨询" },
    bidding: { projects: "交易项目", budget_total: "预算总额", award_total: "中标总额", savings: "节约资金",
               savings_rate: "节资率", high_savings_flagged: "高节资率预警" },
    guarantee: { guarantees_issued: "出具保函", amount_guaranteed: "担保金额", fees_paid: "保费收入", average_effective_rate: "平均费率" },
    credit: { enterprises_coded: "赋码企业", color_distribution: "五色码企业", color_transitions: "颜色变化", records_pending_review: "待审核不良记录" },
    webhooks: { endpoints: "回调端点", deliveries: "事件推送", delivery_success_rate: "推送成功率" },
  };
  const UNITS = {
    items: "项", applications: "件", "working days": "个工作日", tickets: "张", minutes: "分钟", consultations: "件",
    "working hours": "工作小时", steps: "次", projects: "个", sections: "个标段", guarantees: "份", enterprises: "家",
    changes: "次", records: "条", endpoints: "个", deliveries: "次",
  };
  const REASONS = { timeout: "超时", unreachable: "无法连接", circuit_open: "熔断保护中", invalid_answer: "应答无效" };
  const HEADLINE = [
    ["catalog", "applications_received"], ["catalog", "online_receipt_rate"], ["queue", "tickets"], ["queue", "wait_mean"],
    ["consult", "on_time_rate"], ["bidding", "savings"], ["guarantee", "amount_guaranteed"], ["credit", "enterprises_coded"],
  ];
  const COLORS = [
    ["green", "绿码", "#2bb673"], ["blue", "蓝码", "#3b82f6"], ["yellow", "黄码", "#f5c518"],
    ["orange", "橙码", "#f08c2b"], ["red", "红码", "#e5484d"],
  ];
  const PALETTE = { bar: "#3aa0ff", bar2: "#7c5cff", line: "#ffd25e", gold: "#f5b642", teal: "#2ed3b7" };

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const shanghaiDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
  const stampFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
                                                      hour: "2-digit", minute: "2-digit", hour12: false });
  const intFmt = new Intl.NumberFormat("zh-CN");
  const state = { key: null, overview: null, trends: null, waits: null, run: 0 };

  class HttpError extends Error {
    constructor(status, body) {
      super(`HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  // ---- numbers ----------------------------------------------------------------------------------
  function num(value) {
    return value === null || value === undefined || value === "" ? null : Number(value);
  }

  function money(v, short) {
    const a = Math.abs(v);
    if (a >= 1e8) return `${(v / 1e8).toFixed(short ? 1 : 2)} 亿元`;
    if (a >= 1e4) return `${(v / 1e4).toFixed(short ? (a >= 1e6 ? 0 : 1) : 2)} 万元`;
    return `${v.toFixed(short ? 0 : 2)} 元`;
  }

  function formatValue(value, unit) {
    const v = num(value);
    if (v === null || Number.isNaN(v)) return { text: "—", unit: "" };
    if (unit === "ratio") return { text: (v * 100).toFixed(1), unit: "%" };
    if (unit === "CNY") {
      const [text, u] = money(v, false).split(" ");
      return { text, unit: u };
    }
    const text = Number.isInteger(v) && !String(value).includes(".") ? intFmt.format(v) : intFmt.format(Math.round(v * 10) / 10);
    return { text, unit: UNITS[unit] ?? unit };
  }

  function percent(v, short) {
    return `${(v * 100).toFixed(short ? 0 : 1)}%`;
  }

  // ---- dates ------------------------------------------------------------------------------------
  const today = () => shanghaiDay.format(new Date());
  const parse = (s) => new Date(`${s}T00:00:00Z`);
  const iso = (d) => d.toISOString().slice(0, 10);
  const addDays = (d, n) => new Date(d.getTime() + n * 86400000);

  function preset(name) {
    const end = parse(today());
    const y = end.getUTCFullYear();
    const m = end.getUTCMonth();
    if (name === "month") return [iso(new Date(Date.UTC(y, m, 1))), iso(end)];
    if (name === "30d") return [iso(addDays(end, -29)), iso(end)];
    if (name === "year") return [iso(new Date(Date.UTC(y, 0, 1))), iso(end)];
    return [iso(new Date(Date.UTC(y, m - 11, 1))), iso(end)];
  }

  function buckets(from, to) {
    const start = parse(from);
    const end = parse(to);
    const days = Math.round((end - start) / 86400000) + 1;
    const out = [];
    if (days <= 31) {
      for (let d = start; d <= end; d = addDays(d, 1)) out.push({ from: iso(d), to: iso(d), label: `${d.getUTCMonth() + 1}/${d.getUTCDate()}` });
    } else if (days <= 120) {
      for (let d = start; d <= end;) {
        const weekEnd = addDays(d, 6 - ((d.getUTCDay() + 6) % 7));
        const last = weekEnd < end ? weekEnd : end;
        out.push({ from: iso(d), to: iso(last), label: `${d.getUTCMonth() + 1}/${d.getUTCDate()}` });
        d = addDays(last, 1);
      }
    } else {
      const multiYear = start.getUTCFullYear() !== end.getUTCFullYear();
      const yearly = days > 366 * 2;
      for (let d = start; d <= end;) {
        const next = yearly ? new Date(Date.UTC(d.getUTCFullYear() + 1, 0, 1)) : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
        const last = addDays(next, -1) < end ? addDays(next, -1) : end;
        const label = yearly ? `${d.getUTCFullYear()}年`
          : multiYear ? `${String(d.getUTCFullYear()).slice(2)}年${d.getUTCMonth() + 1}月` : `${d.getUTCMonth() + 1}月`;
        out.push({ from: iso(d), to: iso(last), label });
        d = next;
      }
    }
    return out;
  }

  // ---- requests ---------------------------------------------------------------------------------
  async function api(path, retried) {
    const response = await fetch(path, { headers: { Accept: "application/json", Authorization: `Bearer ${state.key}` }, cache: "no-store" });
    if (response.status === 401 && !retried && await refresh()) return api(path, true);
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (_) { /* not JSON */ }
      throw new HttpError(response.status, body);
    }
    return response.json();
  }

  async function pool(tasks, size) {
    const results = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const i = next++;
        try { results[i] = await tasks[i](); } catch (error) { results[i] = error; }
      }
    };
    await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
    return results;
  }

  const figureOf = (overview, service, name) => {
    const part = overview.parts.find((p) => p.service === service);
    return part ? part.figures.find((f) => f.name === name) || null : null;
  };

  // ---- sign-in ----------------------------------------------------------------------------------
  async function postJson(path, body, bearer) {
    const headers = { Accept: "application/json", "Content-Type": "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body), cache: "no-store" });
    let answer = null;
    try { answer = await response.json(); } catch (_) { /* no body */ }
    return { status: response.status, ok: response.ok, body: answer, retryAfter: response.headers.get("Retry-After") };
  }

  function keepSession(tokens) {
    sessionStorage.setItem(KEY_STORE, tokens.access_token);
    if (tokens.refresh_token) sessionStorage.setItem(REFRESH_STORE, tokens.refresh_token);
    state.key = tokens.access_token;
  }

  function forgetSession() {
    sessionStorage.removeItem(KEY_STORE);
    sessionStorage.removeItem(REFRESH_STORE);
    state.key = null;
  }

  // A new access token from the refresh token (each is used once); false when there is none or it was refused.
  async function refresh() {
    const token = sessionStorage.getItem(REFRESH_STORE);
    if (!token) return false;
    const answer = await postJson("/auth/refresh", { refresh_token: token });
    if (!answer.ok || !answer.body || !answer.body.access_token) { forgetSession(); return false; }
    keepSession(answer.body);
    return true;
  }

  const SIGNIN_REFUSALS = {
    second_factor_required: "该账号的岗位须填写动态口令（TOTP）。",
    second_factor_invalid: "动态口令不正确或已过期。",
  };

  async function signIn(event) {
    event.preventDefault();
    const body = { username: $("username").value.trim(), password: $("password").value };
    const totp = $("totp").value.trim();
    if (totp) body.totp = totp;
    const answer = await postJson("/auth/login", body);
    $("password").value = "";
    $("totp").value = "";
    if (answer.ok && answer.body && answer.body.access_token) {
      keepSession(answer.body);
      $("signin-error").textContent = "";
      return load();
    }
    const code = answer.body && answer.body.code;
    if (answer.status === 423) {
      const minutes = answer.retryAfter ? Math.ceil(Number(answer.retryAfter) / 60) : null;
      $("signin-error").textContent = `登录失败次数过多，账号已暂时锁定${minutes ? `，请 ${minutes} 分钟后再试` : ""}。`;
    } else if (answer.status === 429) {
      $("signin-error").textContent = "尝试过于频繁，请稍后再试。";
    } else {
      $("signin-error").textContent = SIGNIN_REFUSALS[code] || "账号或密码不正确。";
    }
    if (code === "second_factor_required") $("totp").focus();
  }

  async function signOut() {
    if (sessionStorage.getItem(REFRESH_STORE)) await postJson("/auth/logout", {}, state.key).catch(() => null);
    forgetSession();
    showLogin("已退出。");
  }

  // ---- key --------------------------------------------------------------------------------------
  function takeKeyFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const key = params.get("key");
    if (key) {
      sessionStorage.setItem(KEY_STORE, key);
      history.replaceState(null, "", location.pathname + location.search);
    }
  }

  function showLogin(message) {
    document.body.dataset.state = "login";
    $("main").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("username").focus();
  }

  // ---- rendering --------------------------------------------------------------------------------
  function tile(service, figure, big) {
    const node = el("div", big ? "kpi" : "tile");
    const label = (LABELS[service] || {})[figure.name] || figure.name;
    const shown = formatValue(figure.value, figure.unit);
    node.dataset.service = service;
    node.dataset.figure = figure.name;
    node.dataset.value = figure.value === null || figure.value === undefined ? "" : String(figure.value);
    node.title = `${label}：${figure.definition}`;
    node.dataset.def = figure.definition;
    node.tabIndex = 0;
    const head = el("div", "t-label", label);
    if (big) head.prepend(el("span", "t-service", SERVICE_NAME[service]));
    const value = el("div", "t-value");
    value.append(el("span", "v", shown.text), el("span", "u", shown.unit));
    node.append(head, value);
    const breakdownShown = figure.unit !== "ratio" || figure.name === "online_receipt_rate";
    if (!big && breakdownShown && figure.breakdown && figure.name !== "tickets_per_hour" && figure.name !== "color_distribution") {
      const entries = Object.entries(figure.breakdown).filter(([k]) => !k.startsWith("issuer:")).slice(0, 4);
      if (entries.length) {
        const list = el("div", "t-break");
        for (const [k, v] of entries) {
          const ratio = figure.unit === "ratio";
          list.append(el("span", "", `${k} ${v === null ? "—" : ratio ? percent(Number(v)) : intFmt.format(Number(v))}`));
        }
        node.append(list);
      }
    }
    return node;
  }

  function missingTile(service, name, big) {
    const node = el("div", `${big ? "kpi" : "tile"} missing`);
    node.dataset.service = service;
    node.dataset.figure = name;
    node.dataset.missing = "true";
    const label = (LABELS[service] || {})[name] || name;
    const head = el("div", "t-label", label);
    if (big) head.prepend(el("span", "t-service", SERVICE_NAME[service]));
    node.append(head, el("div", "t-value", "未响应"));
    node.title = `${SERVICE_NAME[service]}服务本次未应答，该指标缺失`;
    return node;
  }

  function reasonText(reason) {
    if (!reason) return "未应答";
    if (reason.startsWith("status_")) return `返回 ${reason.slice(7)}`;
    return REASONS[reason] || reason;
  }

  function renderStatus(overview) {
    const list = $("services");
    list.replaceChildren();
    const known = new Set([...overview.parts.map((p) => p.service), ...overview.missing]);
    const order = [...SERVICES.map(([s]) => s).filter((s) => known.has(s)), ...[...known].filter((s) => !SERVICE_NAME[s])];
    for (const service of order) {
      const missing = overview.missing.includes(service);
      const item = el("li", missing ? "svc missing" : "svc ok");
      item.dataset.service = service;
      item.dataset.status = missing ? "missing" : "ok";
      item.append(el("span", "mark", missing ? "✕" : "✓"), el("span", "", SERVICE_NAME[service] || service));
      if (missing) item.append(el("span", "why", reasonText(overview.reasons[service])));
      item.title = missing ? `${SERVICE_NAME[service] || service}：本次未应答（${overview.reasons[service] || "unknown"}），其指标缺失` : "已应答";
      list.append(item);
    }
  }

  function renderWarnings(overview) {
    const list = $("warnings");
    const warnings = overview.warnings || [];
    list.replaceChildren(...warnings.map((w) => {
      const item = el("li", "warning", `⚠ ${w.text}`);
      item.title = `提出提醒的服务：${w.services.map((s) => SERVICE_NAME[s] || s).join("、")}`;
      return item;
    }));
    list.hidden = warnings.length === 0;
  }

  function renderHeadline(overview) {
    const box = $("headline");
    box.replaceChildren();
    for (const [service, name] of HEADLINE) {
      if (overview.missing.includes(service)) {
        box.append(missingTile(service, name, true));
        continue;
      }
      const figure = figureOf(overview, service, name);
      if (figure) box.append(tile(service, figure, true));
    }
  }

  function renderDetails(overview) {
    const box = $("details");
    box.replaceChildren();
    const services = [...SERVICES.map(([s]) => s), ...overview.parts.map((p) => p.service).filter((s) => !SERVICE_NAME[s])];
    for (const service of services) {
      const part = overview.parts.find((p) => p.service === service);
      const missing = overview.missing.includes(service);
      if (!part && !missing) continue;
      const section = el("section", `svc-section${missing ? " missing" : ""}`);
      section.dataset.service = service;
      const h = el("h2", "", SERVICE_NAME[service] || service);
      section.append(h);
      if (missing) {
        h.append(el("span", "badge", `未响应 · ${reasonText(overview.reasons[service])}`));
        section.append(el("p", "missing-note", "该服务本次没有在时限内应答，以下指标缺失；其余服务的数据不受影响。"));
      } else {
        const grid = el("div", "tiles");
        for (const figure of part.figures) grid.append(tile(service, figure, false));
        section.append(grid);
      }
      box.append(section);
    }
  }

  function chartBox(id) {
    return document.querySelector(`#${id} .chart`);
  }

  function renderCharts() {
    const overview = state.overview;
    if (!overview) return;
    const missing = (s) => overview.missing.includes(s);
    const missingText = (s) => `${SERVICE_NAME[s]}服务未响应，无法绘制`;

    const colorsBox = chartBox("chart-colors");
    if (missing("credit")) Charts.message(colorsBox, missingText("credit"), "missing");
    else {
      const figure = figureOf(overview, "credit", "color_distribution");
      const breakdown = (figure && figure.breakdown) || {};
      Charts.donut(colorsBox, {
        items: COLORS.map(([key, label, color]) => ({ label, color, value: num(breakdown[key]) || 0 })),
        total: figure ? num(figure.value) : 0, centerLabel: "赋码企业（家）", format: (v) => intFmt.format(v),
      });
    }

    const trends = state.trends;
    const trendChart = (id, service, spec) => {
      const box = chartBox(id);
      if (missing(service)) return Charts.message(box, missingText(service), "missing");
      if (!trends) return Charts.message(box, "正在加载…");
      const rows = trends[service];
      const value = (row, name) => (row instanceof Error || !row ? null : num((row.figures.find((f) => f.name === name) || {}).value));
      return Charts.combo(box, {
        labels: trends.buckets.map((b) => b.label),
        bars: { ...spec.bars, values: rows.map((r) => value(r, spec.bars.figure)) },
        line: { ...spec.line, values: rows.map((r) => value(r, spec.line.figure)) },
      });
    };
    trendChart("chart-apps", "catalog", {
      bars: { figure: "applications_received", name: "受理办件（件）", color: PALETTE.bar, format: (v) => intFmt.format(Math.round(v)) },
      line: { figure: "online_receipt_rate", name: "网上收件率", color: PALETTE.line, format: percent, max: 1 },
    });
    trendChart("chart-savings", "bidding", {
      bars: { figure: "savings", name: "节约资金", color: PALETTE.teal, format: money },
      line: { figure: "savings_rate", name: "节资率", color: PALETTE.line, format: percent },
    });
    trendChart("chart-guarantees", "guarantee", {
      bars: { figure: "amount_guaranteed", name: "担保金额", color: PALETTE.bar2, format: money },
      line: { figure: "guarantees_issued", name: "保函（份）", color: PALETTE.gold, format: (v) => intFmt.format(Math.round(v)) },
    });

    const waitsBox = chartBox("chart-waits");
    if (missing("queue")) Charts.message(waitsBox, missingText("queue"), "missing");
    else if (!state.waits) Charts.message(waitsBox, "正在加载…");
    else if (!state.waits.length) Charts.message(waitsBox, "本期各大厅暂无取号");
    else {
      Charts.hbars(waitsBox, {
        labels: state.waits.map((w) => w.name),
        series: [
          { name: "平均等候", color: PALETTE.bar, values: state.waits.map((w) => num(w.wait_mean)) },
          { name: "90% 等候不超过", color: PALETTE.gold, values: state.waits.map((w) => num(w.wait_p90)) },
        ],
        format: (v) => `${(Math.round(v * 10) / 10).toFixed(1)} 分`,
        notes: state.waits.map((w) => `取号 ${intFmt.format(w.tickets)}`),
      });
    }
  }

  // ---- loading ----------------------------------------------------------------------------------
  async function loadTrends(run, from, to, overview) {
    const list = buckets(from, to);
    const services = ["catalog", "bidding", "guarantee"].filter((s) => !overview.missing.includes(s));
    const tasks = [];
    for (const service of services) {
      for (const b of list) tasks.push(() => api(`/${service}/v1/stats/overview?from=${b.from}&to=${b.to}`));
    }
    const results = await pool(tasks, 6);
    if (run !== state.run) return;
    const trends = { buckets: list };
    services.forEach((service, i) => { trends[service] = results.slice(i * list.length, (i + 1) * list.length); });
    state.trends = trends;
  }

  async function loadWaits(run, from, to, overview) {
    if (overview.missing.includes("queue")) return;
    let halls = [];
    try { halls = await api("/queue/v1/halls"); } catch (_) { halls = []; }
    const results = await pool(halls.slice(0, 30).map((h) => () => api(`/queue/v1/stats?hall=${encodeURIComponent(h.code)}&from=${from}&to=${to}`)), 6);
    if (run !== state.run) return;
    state.waits = halls.slice(0, 30).map((h, i) => ({ hall: h, stats: results[i] }))
      .filter((x) => !(x.stats instanceof Error) && x.stats.tickets > 0)
      .map((x) => ({ name: x.hall.name, code: x.hall.code, tickets: x.stats.tickets, wait_mean: x.stats.wait_mean, wait_p90: x.stats.wait_p90 }))
      .sort((a, b) => (num(b.wait_mean) ?? -1) - (num(a.wait_mean) ?? -1))
      .slice(0, 8);
  }

  async function load() {
    const from = $("from").value;
    const to = $("to").value;
    const run = ++state.run;
    document.body.dataset.state = "loading";
    $("updated").textContent = "正在读取…";
    history.replaceState(null, "", `${location.pathname}?from=${from}&to=${to}`);
    let overview;
    try {
      overview = await api(`/cockpit/v1/overview?from=${from}&to=${to}`);
    } catch (error) {
      if (error.status === 401) { forgetSession(); return showLogin("登录已失效或密钥无效，请重新登录。"); }
      if (error.status === 403) { forgetSession(); return showLogin("该账号或密钥无权查看驾驶舱（cockpit:read）。"); }
      const detail = error.body && error.body.detail ? `：${error.body.detail}` : "";
      $("updated").textContent = `读取失败（${error.status || "网络错误"}）${detail}`;
      document.body.dataset.state = "error";
      return;
    }
    if (run !== state.run) return;
    $("login").hidden = true;
    $("main").hidden = false;
    state.overview = overview;
    state.trends = null;
    state.waits = null;
    renderStatus(overview);
    renderWarnings(overview);
    renderHeadline(overview);
    renderDetails(overview);
    renderCharts();
    const missingCount = overview.missing.length;
    $("updated").textContent = `统计期 ${from} 至 ${to} · 更新于 ${stampFmt.format(new Date())}` +
      (missingCount ? ` · ${missingCount} 个服务未响应` : " · 各服务均已应答");
    await Promise.all([loadTrends(run, from, to, overview), loadWaits(run, from, to, overview)]);
    if (run !== state.run) return;
    renderCharts();
    document.body.dataset.state = "ready";
  }

  // ---- tooltip ----------------------------------------------------------------------------------
  function tooltips() {
    const tip = $("tooltip");
    const show = (target) => {
      tip.replaceChildren(el("strong", "", target.querySelector(".t-label")?.textContent || ""), el("p", "", target.dataset.def));
      tip.hidden = false;
      const r = target.getBoundingClientRect();
      const left = Math.min(window.innerWidth - tip.offsetWidth - 12, Math.max(12, r.left));
      const top = r.bottom + 8 + tip.offsetHeight > window.innerHeight ? r.top - tip.offsetHeight - 8 : r.bottom + 8;
      tip.style.left = `${left + window.scrollX}px`;
      tip.style.top = `${top + window.scrollY}px`;
    };
    const hide = () => { tip.hidden = true; };
    for (const type of ["mouseover", "focusin"]) {
      document.addEventListener(type, (event) => {
        const target = event.target.closest && event.target.closest("[data-def]");
        if (target) show(target); else if (type === "mouseover") hide();
      });
    }
    document.addEventListener("focusout", hide);
  }

  function start() {
    takeKeyFromFragment();
    tooltips();
    const params = new URLSearchParams(location.search);
    const [defFrom, defTo] = preset("12m");
    $("from").value = params.get("from") || defFrom;
    $("to").value = params.get("to") || defTo;
    $("period").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    for (const button of document.querySelectorAll("[data-preset]")) {
      button.addEventListener("click", () => {
        [$("from").value, $("to").value] = preset(button.dataset.preset);
        load();
      });
    }
    $("logout").addEventListener("click", signOut);
    $("signin-form").addEventListener("submit", signIn);
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value.trim();
      if (!key) return;
      sessionStorage.removeItem(REFRESH_STORE);
      sessionStorage.setItem(KEY_STORE, key);
      state.key = key;
      $("key").value = "";
      load();
    });
    let timer = null;
    window.addEventListener("resize", () => { clearTimeout(timer); timer = setTimeout(renderCharts, 150); });
    state.key = sessionStorage.getItem(KEY_STORE);
    if (state.key) load(); else showLogin("");
  }

  start();
})();
