// Small hand-written SVG charts for the cockpit: bars with an optional line on a second axis,
// horizontal grouped bars, and a donut. No library: the platform fetches nothing from outside.
"use strict";

window.Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function titled(node, text) {
    node.append(svgEl("title", {}, text));
    return node;
  }

  function frame(container) {
    container.replaceChildren();
    const width = Math.max(240, container.clientWidth);
    const height = Math.max(160, container.clientHeight);
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
    container.append(svg);
    return { svg, width, height };
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (value <= step * power) return step * power;
    return 10 * power;
  }

  function message(container, text, cls) {
    container.replaceChildren();
    const box = document.createElement("div");
    box.className = `chart-message ${cls || ""}`;
    box.textContent = text;
    container.append(box);
  }

  // Bars of one series per label, with an optional line (its own scale, right axis).
  function combo(container, { labels, bars, line, caption }) {
    const some = (values) => (values || []).some((v) => v !== null && v !== undefined && Number(v) > 0);
    if (!some(bars.values) && !(line && some(line.values))) {
      message(container, "本期暂无数据");
      return;
    }
    const { svg, width, height } = frame(container);
    if (caption) svg.setAttribute("aria-label", caption);
    const m = { l: 64, r: line ? 64 : 16, t: 30, b: 34 };
    const w = width - m.l - m.r;
    const h = height - m.t - m.b;
    const barValues = bars.values.map((v) => (v === null || v === undefined ? null : Number(v)));
    const barMax = niceMax(Math.max(0, ...barValues.filter((v) => v !== null)));
    const lineValues = line ? line.values.map((v) => (v === null || v === undefined ? null : Number(v))) : [];
    const lineMax = line ? (line.max || niceMax(Math.max(0, ...lineValues.filter((v) => v !== null)))) : 1;
    const n = Math.max(1, labels.length);
    const slot = w / n;
    const grid = svgEl("g", { class: "grid" });
    for (let i = 0; i <= 4; i += 1) {
      const y = m.t + h - (h * i) / 4;
      grid.append(svgEl("line", { x1: m.l, x2: m.l + w, y1: y, y2: y }));
      grid.append(svgEl("text", { x: m.l - 8, y: y + 4, "text-anchor": "end", class: "axis" }, bars.format(barMax * i / 4, true)));
      if (line) grid.append(svgEl("text", { x: m.l + w + 8, y: y + 4, class: "axis line-axis" }, line.format(lineMax * i / 4, true)));
    }
    svg.append(grid);
    const barGroup = svgEl("g", { class: "bars" });
    const every = Math.ceil(n / Math.max(1, Math.floor(w / 56)));
    labels.forEach((label, i) => {
      const v = barValues[i];
      const bw = Math.min(48, slot * 0.62);
      const x = m.l + slot * i + (slot - bw) / 2;
      if (v !== null) {
        const bh = (h * v) / barMax;
        barGroup.append(titled(svgEl("rect", { x, y: m.t + h - bh, width: bw, height: Math.max(bh, v > 0 ? 1 : 0), rx: 3,
                                               fill: bars.color, class: "bar" }), `${label} ${bars.name}：${bars.format(v)}`));
      }
      if (i % every === 0) {
        barGroup.append(svgEl("text", { x: m.l + slot * i + slot / 2, y: height - m.b + 20, "text-anchor": "middle", class: "axis" }, label));
      }
    });
    svg.append(barGroup);
    if (line) {
      const points = [];
      const dots = svgEl("g", { class: "dots" });
      lineValues.forEach((v, i) => {
        if (v === null) return;
        const x = m.l + slot * i + slot / 2;
        const y = m.t + h - (h * Math.min(v, lineMax)) / lineMax;
        points.push(`${x},${y}`);
        dots.append(titled(svgEl("circle", { cx: x, cy: y, r: 4, fill: line.color }), `${labels[i]} ${line.name}：${line.format(v)}`));
      });
      if (points.length > 1) svg.append(svgEl("polyline", { points: points.join(" "), fill: "none", stroke: line.color, "stroke-width": 2.5 }));
      svg.append(dots);
    }
    const legend = svgEl("g", { class: "legend" });
    legend.append(svgEl("rect", { x: m.l, y: 8, width: 12, height: 12, rx: 2, fill: bars.color }));
    legend.append(svgEl("text", { x: m.l + 18, y: 19 }, bars.name));
    if (line) {
      const lx = m.l + 36 + bars.name.length * 15;
      legend.append(svgEl("line", { x1: lx, x2: lx + 16, y1: 14, y2: 14, stroke: line.color, "stroke-width": 3 }));
      legend.append(svgEl("text", { x: lx + 22, y: 19 }, line.name));
    }
    svg.append(legend);
  }

  // Horizontal bars: one row per label, one bar per series.
  function hbars(container, { labels, series, format, notes }) {
    const { svg, width, height } = frame(container);
    const m = { l: Math.min(180, width * 0.3), r: 70, t: 30, b: 8 };
    const w = width - m.l - m.r;
    const h = height - m.t - m.b;
    const all = series.flatMap((s) => s.values.map(Number).filter((v) => Number.isFinite(v)));
    const max = niceMax(Math.max(0, ...all));
    const row = h / Math.max(1, labels.length);
    const bh = Math.min(18, (row * 0.75) / series.length);
    labels.forEach((label, i) => {
      const y0 = m.t + row * i + (row - bh * series.length) / 2;
      svg.append(svgEl("text", { x: m.l - 10, y: y0 + bh * series.length / 2 + 5, "text-anchor": "end", class: "label" }, label));
      series.forEach((s, j) => {
        const raw = s.values[i];
        const y = y0 + bh * j;
        if (raw === null || raw === undefined) {
          svg.append(svgEl("text", { x: m.l + 4, y: y + bh - 3, class: "axis" }, "无数据"));
          return;
        }
        const v = Number(raw);
        const bw = (w * v) / max;
        svg.append(titled(svgEl("rect", { x: m.l, y, width: Math.max(bw, 1), height: bh - 2, rx: 3, fill: s.color, class: "bar" }),
                          `${label} ${s.name}：${format(v)}`));
        svg.append(svgEl("text", { x: m.l + bw + 6, y: y + bh - 4, class: "value" }, format(v)));
      });
      if (notes && notes[i]) svg.append(svgEl("text", { x: width - 4, y: y0 - 2, "text-anchor": "end", class: "axis" }, notes[i]));
    });
    const legend = svgEl("g", { class: "legend" });
    let x = m.l;
    for (const s of series) {
      legend.append(svgEl("rect", { x, y: 8, width: 12, height: 12, rx: 2, fill: s.color }));
      legend.append(svgEl("text", { x: x + 18, y: 19 }, s.name));
      x += 36 + s.name.length * 15;
    }
    svg.append(legend);
  }

  // A donut of parts of a whole, with a legend of counts and shares.
  function donut(container, { items, total, centerLabel, format }) {
    const { svg, width, height } = frame(container);
    const r = Math.min(height / 2 - 12, width * 0.22);
    const cx = r + 16;
    const cy = height / 2;
    const sum = items.reduce((a, it) => a + Number(it.value || 0), 0);
    let angle = -Math.PI / 2;
    const ring = svgEl("g");
    if (sum === 0) {
      ring.append(svgEl("circle", { cx, cy, r: r * 0.8, fill: "none", stroke: "#24406f", "stroke-width": r * 0.4 }));
    }
    for (const it of items) {
      const v = Number(it.value || 0);
      if (!v) continue;
      const share = v / sum;
      const a1 = angle + share * Math.PI * 2;
      const large = share > 0.5 ? 1 : 0;
      const r0 = r * 0.6;
      const p = (rad, ang) => `${cx + rad * Math.cos(ang)},${cy + rad * Math.sin(ang)}`;
      const d = share >= 0.9999
        ? `M${p(r, 0)} A${r},${r} 0 1 1 ${p(r, Math.PI)} A${r},${r} 0 1 1 ${p(r, 0)} M${p(r0, 0)} A${r0},${r0} 0 1 0 ${p(r0, Math.PI)} A${r0},${r0} 0 1 0 ${p(r0, 0)}Z`
        : `M${p(r, angle)} A${r},${r} 0 ${large} 1 ${p(r, a1)} L${p(r0, a1)} A${r0},${r0} 0 ${large} 0 ${p(r0, angle)}Z`;
      ring.append(titled(svgEl("path", { d, fill: it.color, stroke: "#0a1f47", "stroke-width": 2, "fill-rule": "evenodd" }),
                         `${it.label}：${format(v)}（${(share * 100).toFixed(1)}%）`));
      angle = a1;
    }
    svg.append(ring);
    svg.append(svgEl("text", { x: cx, y: cy - 2, "text-anchor": "middle", class: "donut-total" }, format(total ?? sum)));
    svg.append(svgEl("text", { x: cx, y: cy + 22, "text-anchor": "middle", class: "axis" }, centerLabel));
    const lx = cx + r + 36;
    const step = Math.min(34, (height - 20) / Math.max(1, items.length));
    items.forEach((it, i) => {
      const y = cy - (step * items.length) / 2 + step * i + step / 2;
      const v = Number(it.value || 0);
      svg.append(svgEl("rect", { x: lx, y: y - 9, width: 16, height: 16, rx: 3, fill: it.color }));
      svg.append(svgEl("text", { x: lx + 26, y: y + 5, class: "label" }, it.label));
      svg.append(svgEl("text", { x: width - 8, y: y + 5, "text-anchor": "end", class: "value" },
                       `${format(v)}  ${sum ? ((v / sum) * 100).toFixed(1) : "0.0"}%`));
    });
  }

  return { combo, hbars, donut, message };
})();
