// The faultline space-time viewer (docs/viewer.md). Plain JavaScript and one
// <canvas>; no library, no network. The page embeds the trace as a JSON array
// of its lines (docs/trace-format.md); this script indexes it once, then
// redraws only what falls in the visible time window.
//
// How it stays fast on large traces:
//   - every kind of thing drawn lives in arrays sorted by time, and a frame
//     finds the visible ones by binary search (lowerBound), never by a scan;
//   - messages are sorted by send time; a frame looks at those sent in
//     [start - maxFlight, end], where maxFlight is the longest flight time of
//     an ordinary message; the few messages in flight much longer than the
//     rest ("long" ones: a paused receiver's backlog) are kept apart and
//     checked every frame;
//   - level of detail: when more than ARROW_LIMIT messages are visible, they
//     are drawn as aggregate arrows, one per (sender, receiver, pixel column
//     of the send), its width and opacity growing with the count; per-node
//     protocol marks become a density strip past MARK_LIMIT;
//   - drawing happens in one requestAnimationFrame after input, not per event.
"use strict";

(function () {
  const ARROW_LIMIT = 2500;   // more visible messages than this: aggregate arrows
  const MARK_LIMIT = 4000;    // more visible protocol marks than this: density strip
  const AGG_COLUMN_PX = 6;    // width of one aggregation column
  const GUTTER = 132;         // lane labels
  const AXIS_H = 30;          // time axis at the top
  const OVERVIEW_H = 46;      // the whole run at the bottom
  const ROLE_COLORS = { leader: "#f2b705", candidate: "#f57c00", follower: "#a9cfee" };
  const OTHER_ROLE_COLOR = "#c7d3e0";
  const CRASHED = "#4a4f5a", PAUSED = "#9b87c9", PARTITION = "rgba(229, 57, 53, 0.10)";
  const DROP = "#d62728", VIOLATION = "#d81b60";
  const TYPE_PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#7f7f7f", "#bcbd22",
                        "#e377c2", "#3949ab", "#00897b", "#6d4c41", "#5e35b1"];

  const t0 = performance.now();
  const lines = JSON.parse(document.getElementById("faultline-trace").textContent);
  const parseMs = performance.now() - t0;

  // ---- Indexing ---------------------------------------------------------
  function nodeLess(a, b) {
    const re = /(\d+)|(\D+)/g;
    const pa = a.match(re) || [], pb = b.match(re) || [];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const na = /^\d/.test(pa[i]), nb = /^\d/.test(pb[i]);
      if (na && nb) {
        const d = Number(pa[i]) - Number(pb[i]);
        if (d !== 0) return d;
      } else if (pa[i] !== pb[i]) {
        return pa[i] < pb[i] ? -1 : 1;
      }
    }
    return pa.length - pb.length;
  }

  function roleOf(line) {
    if (!line.node) return null;
    const term = line.term !== undefined ? line.term : line.round;
    if (line.kind === "leader" || line.kind === "follower" || line.kind === "candidate")
      return { role: line.kind, term: term };
    if (line.kind === "role" && line.role !== undefined) return { role: String(line.role), term: term };
    return null;
  }

  const nodeSet = new Set();
  for (const l of lines) {
    if (typeof l.node === "string") nodeSet.add(l.node);
    if ((l.kind === "send" || l.kind === "duplicate") && typeof l.to === "string") nodeSet.add(l.to);
    if ((l.kind === "deliver" || l.kind === "drop") && typeof l.from === "string") nodeSet.add(l.from);
  }
  const nodes = Array.from(nodeSet).sort(nodeLess);
  const laneOf = new Map(nodes.map((n, i) => [n, i]));
  const clientSet = new Set();
  for (const l of lines) if ((l.kind === "invoke" || l.kind === "complete") && l.client !== undefined) clientSet.add(String(l.client));
  const clients = Array.from(clientSet).sort(nodeLess);
  const clientLane = new Map(clients.map((c, i) => [c, nodes.length + i]));
  const laneNames = nodes.concat(clients.map(c => "client " + c));
  const laneCount = Math.max(1, laneNames.length);

  const tStart = lines.length ? lines[0].t : 0;
  const tEnd = lines.length ? Math.max(lines[lines.length - 1].t, tStart + 1) : 1;

  // Messages, in send order (the trace is in time order).
  const msgs = [];                 // {t0, t1, from, to, type, send, end, endKind, reason}
  const msgById = new Map();
  const types = new Map();         // type -> colour
  const marks = nodes.map(() => []);       // per lane: protocol events {t, line}
  const faultMarks = [];                   // {t, lane (or -1 for all), line}
  const roles = nodes.map(() => []);       // per lane: {t0, t1, role, term, line}
  const downs = nodes.map(() => []);       // per lane: {t0, t1, what: crashed|paused, line}
  const partitions = [];                   // {t0, t1, label, groups: Map node->group index, line}
  const ops = clients.map(() => []);       // per client: {t0, t1, label, invoke, complete}
  const violations = [];                   // {t, lane, line}

  function colourOf(type) {
    if (!types.has(type)) types.set(type, TYPE_PALETTE[types.size % TYPE_PALETTE.length]);
    return types.get(type);
  }
  function closeRole(lane, t) {
    const r = roles[lane], last = r[r.length - 1];
    if (last && last.t1 === null) last.t1 = t;
  }
  function closeDown(lane, what, t) {
    const d = downs[lane];
    for (let i = d.length - 1; i >= 0; i--)
      if (d[i].what === what && d[i].t1 === null) { d[i].t1 = t; return; }
  }
  function closePartition(t) {
    const last = partitions[partitions.length - 1];
    if (last && last.t1 === null) last.t1 = t;
  }
  function parseGroups(text) {
    const groups = new Map();
    String(text).split("|").forEach((g, i) => g.split(",").forEach(n => { if (n) groups.set(n.trim(), i); }));
    return groups;
  }

  const openOps = new Map();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const lane = laneOf.has(l.node) ? laneOf.get(l.node) : -1;
    switch (l.kind) {
      case "send": {
        const m = { t0: l.t, t1: null, from: lane, to: laneOf.get(l.to), type: String(l.type), send: i,
                    end: -1, endKind: null, reason: null };
        colourOf(m.type);
        msgs.push(m);
        if (l.id !== undefined) msgById.set(l.id, m);
        continue;
      }
      case "deliver": case "drop": {
        const m = msgById.get(l.id);
        if (m && m.end < 0) {
          m.end = i; m.t1 = l.t; m.endKind = l.kind; m.reason = l.reason === undefined ? null : String(l.reason);
        } else {
          marks[lane] && marks[lane].push({ t: l.t, line: i });
        }
        continue;
      }
      case "fault": {
        const what = String(l.fault);
        faultMarks.push({ t: l.t, lane: lane, line: i });
        if (lane < 0 || what === "isolate") {
          if (what === "partition" || what === "isolate" || what === "one_way") {
            closePartition(l.t);
            let groups = new Map(), label = what;
            if (l.groups !== undefined) { groups = parseGroups(l.groups); label = "partition " + l.groups; }
            if (what === "isolate" && l.node) { groups.set(l.node, 0); label = "isolate " + l.node; }
            if (what === "one_way") { groups.set(String(l.from), 0); groups.set(String(l.to), 1); label = "one-way " + l.from + "\u2192" + l.to; }
            partitions.push({ t0: l.t, t1: null, label: label, groups: groups, line: i });
          } else if (what === "heal") {
            closePartition(l.t);
          }
          continue;
        }
        if (what === "crash") { closeRole(lane, l.t); downs[lane].push({ t0: l.t, t1: null, what: "crashed", line: i }); }
        else if (what === "restart") closeDown(lane, "crashed", l.t);
        else if (what === "pause") downs[lane].push({ t0: l.t, t1: null, what: "paused", line: i });
        else if (what === "resume") closeDown(lane, "paused", l.t);
        else if (what === "heal") closePartition(l.t);
        continue;
      }
      case "violation":
        violations.push({ t: l.t, lane: lane, line: i });
        continue;
      case "invoke": case "complete": {
        const c = String(l.client), cl = clients.indexOf(c);
        if (l.kind === "invoke") {
          const op = { t0: l.t, t1: null, label: [l.op, l.key].filter(x => x !== undefined).join(" "), invoke: i, complete: -1 };
          ops[cl].push(op);
          openOps.set(c, op);
        } else if (openOps.has(c)) {
          const op = openOps.get(c);
          op.t1 = l.t; op.complete = i;
          openOps.delete(c);
        }
        continue;
      }
      case "timer":
        continue;  // too many to draw and little to see; still in the data and the Chrome trace
    }
    const role = roleOf(l);
    if (role && lane >= 0) {
      closeRole(lane, l.t);
      roles[lane].push({ t0: l.t, t1: null, role: role.role, term: role.term, line: i });
    }
    if (lane >= 0) marks[lane].push({ t: l.t, line: i });
    else faultMarks.push({ t: l.t, lane: -1, line: i });
  }
  roles.forEach(r => r.forEach(x => { if (x.t1 === null) x.t1 = tEnd; }));
  downs.forEach(d => d.forEach(x => { if (x.t1 === null) x.t1 = tEnd; }));
  partitions.forEach(p => { if (p.t1 === null) p.t1 = tEnd; });
  ops.forEach(o => o.forEach(x => { if (x.t1 === null) x.t1 = tEnd; }));
  downs.forEach(d => d.sort((a, b) => a.t0 - b.t0));

  // Flight times: ordinary messages in one array, the few far longer ones apart.
  const flights = msgs.filter(m => m.t1 !== null).map(m => m.t1 - m.t0).sort((a, b) => a - b);
  const p99 = flights.length ? flights[Math.floor(0.99 * (flights.length - 1))] : 0;
  const longCut = Math.max(1, p99 * 4);
  const shortMsgs = [], longMsgs = [];
  for (const m of msgs) ((m.t1 === null || m.t1 - m.t0 > longCut) ? longMsgs : shortMsgs).push(m);
  let maxFlight = 0;
  for (const m of shortMsgs) maxFlight = Math.max(maxFlight, m.t1 - m.t0);
  const shortT0 = Float64Array.from(shortMsgs, m => m.t0);
  const markT = marks.map(a => Float64Array.from(a, m => m.t));
  const faultT = Float64Array.from(faultMarks, f => f.t);
  const hiddenTypes = new Set();
  const indexMs = performance.now() - t0 - parseMs;

  function lowerBound(arr, x) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function lowerBoundBy(arr, x, key) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (key(arr[mid]) < x) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // ---- View state and geometry -----------------------------------------
  const canvas = document.getElementById("canvas");
  const ctx = canvas.getContext("2d");
  let width = 0, height = 0, dpr = 1;
  let viewStart = tStart, viewEnd = tEnd;
  let selected = null;          // {kind: "message"|"line"|"aggregate", ...}
  let hitList = [];             // what the last frame drew, for clicks
  let lastSummary = {};

  function plotLeft() { return GUTTER; }
  function plotRight() { return width - 10; }
  function lanesTop() { return AXIS_H; }
  function lanesBottom() { return height - OVERVIEW_H - 8; }
  function laneHeight() { return (lanesBottom() - lanesTop()) / laneCount; }
  function laneY(lane) { return lanesTop() + laneHeight() * (lane + 0.5); }
  function xOf(t) { return plotLeft() + (t - viewStart) / (viewEnd - viewStart) * (plotRight() - plotLeft()); }
  function tOf(x) { return viewStart + (x - plotLeft()) / (plotRight() - plotLeft()) * (viewEnd - viewStart); }

  function resize() {
    const r = canvas.getBoundingClientRect();
    dpr = window.devicePixelRatio || 1;
    width = Math.max(300, r.width); height = Math.max(200, r.height);
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
  }

  function setWindow(a, b) {
    const minSpan = 1000;  // 1 µs
    let span = Math.max(minSpan, b - a);
    const full = (tEnd - tStart) * 1.02 + minSpan;
    if (span > full) span = full;
    let s = a;
    // A little room past either end, so an event at the very end (a run
    // stopped by its violation) can sit inside the window, not on its edge.
    const lo = tStart - Math.max((tEnd - tStart) * 0.01, span * 0.4), hi = tEnd + Math.max((tEnd - tStart) * 0.01, span * 0.4);
    if (s < lo) s = lo;
    if (s + span > hi) s = Math.max(lo, hi - span);
    viewStart = s; viewEnd = s + span;
    schedule();
  }

  function fmtTime(ns, span) {
    const abs = Math.abs(ns), s = span === undefined ? abs : span;
    if (s >= 1e9) return (ns / 1e9).toFixed(s >= 1e10 ? 1 : 3).replace(/\.?0+$/, "") + " s";
    if (s >= 1e6) return (ns / 1e6).toFixed(s >= 1e7 ? 1 : 3).replace(/\.?0+$/, "") + " ms";
    if (s >= 1e3) return (ns / 1e3).toFixed(2).replace(/\.?0+$/, "") + " µs";
    return ns + " ns";
  }
  function fmtExact(ns) {
    return (ns / 1e9).toFixed(9) + " s";
  }

  // ---- Drawing ----------------------------------------------------------
  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }

  function hatch(x0, y0, w, h, colour, step) {
    ctx.save();
    ctx.beginPath(); ctx.rect(x0, y0, w, h); ctx.clip();
    ctx.strokeStyle = colour; ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = x0 - h; x < x0 + w; x += step) { ctx.moveTo(x, y0 + h); ctx.lineTo(x + h, y0); }
    ctx.stroke();
    ctx.restore();
  }

  function visibleRange(sortedTimes, a, b) {
    return [lowerBound(sortedTimes, a), lowerBound(sortedTimes, b + 1)];
  }

  function draw() {
    const started = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    hitList = [];
    const L = plotLeft(), R = plotRight(), top = lanesTop(), bottom = lanesBottom(), lh = laneHeight();
    const a = viewStart, b = viewEnd;
    const summary = { lanes: 0, laneNames: [], arrows: 0, aggregateArrows: 0, aggregatedMessages: 0, drops: 0,
                      marks: 0, faults: 0, violationVisible: false, violationX: null, violationY: null };

    // Lane backgrounds.
    for (let i = 0; i < laneCount; i++) {
      const y = top + i * lh;
      ctx.fillStyle = i >= nodes.length ? (i % 2 ? "#f3f7f1" : "#eef4eb") : (i % 2 ? "#f6f7f9" : "#ffffff");
      ctx.fillRect(L, y, R - L, lh);
    }
    ctx.save();
    ctx.beginPath(); ctx.rect(L, top, R - L, bottom - top); ctx.clip();

    // Partitions: a red tint over every lane, and each lane's side letter.
    for (const p of partitions) {
      if (p.t1 < a || p.t0 > b) continue;
      const x0 = Math.max(L, xOf(p.t0)), x1 = Math.min(R, xOf(p.t1));
      ctx.fillStyle = PARTITION;
      ctx.fillRect(x0, top, x1 - x0, bottom - top);
      hatch(x0, top, x1 - x0, bottom - top, "rgba(229, 57, 53, 0.13)", 14);
      ctx.fillStyle = "#b71c1c"; ctx.font = "600 11px system-ui, sans-serif";
      if (x1 - x0 > 60) ctx.fillText(p.label, x0 + 4, top + 11);
      for (let i = 0; i < nodes.length; i++) {
        const g = p.groups.has(nodes[i]) ? String.fromCharCode(65 + p.groups.get(nodes[i])) : (p.groups.size ? "rest" : "");
        if (g && x1 - x0 > 40) ctx.fillText("side " + g, x0 + 4, top + i * lh + lh - 4);
      }
      hitList.push({ kind: "band", x0: x0, x1: x1, y0: top, y1: bottom, line: p.line, prio: 0 });
    }

    // Roles: a band along the top of each lane, with the term.
    const bandH = Math.max(5, Math.min(14, lh * 0.22));
    for (let i = 0; i < nodes.length; i++) {
      const r = roles[i];
      let k = Math.max(0, lowerBoundBy(r, a, x => x.t1));
      const yTop = top + i * lh + 2;
      for (; k < r.length && r[k].t0 <= b; k++) {
        const seg = r[k];
        const x0 = Math.max(L, xOf(seg.t0)), x1 = Math.min(R, xOf(seg.t1));
        if (x1 - x0 < 0.3) continue;
        ctx.fillStyle = ROLE_COLORS[seg.role] || OTHER_ROLE_COLOR;
        ctx.fillRect(x0, yTop, x1 - x0, bandH);
        if (x1 - x0 > 46 && bandH >= 9) {
          ctx.fillStyle = seg.role === "leader" ? "#3d2c00" : "#1d2430";
          ctx.font = "600 10px system-ui, sans-serif";
          ctx.fillText(seg.role + (seg.term !== undefined ? " t" + seg.term : ""), x0 + 3, yTop + bandH - 3);
        }
        hitList.push({ kind: "band", x0: x0, x1: x1, y0: yTop, y1: yTop + bandH, line: seg.line, prio: 1 });
      }
    }

    // Crashed and paused: the lane greyed out (crashed) or tinted (paused).
    for (let i = 0; i < nodes.length; i++) {
      for (const d of downs[i]) {
        if (d.t1 < a || d.t0 > b) continue;
        const x0 = Math.max(L, xOf(d.t0)), x1 = Math.min(R, xOf(d.t1));
        const y = top + i * lh + bandH + 3, h = lh - bandH - 5;
        if (d.what === "crashed") {
          ctx.fillStyle = "rgba(74, 79, 90, 0.20)"; ctx.fillRect(x0, y, x1 - x0, h);
          hatch(x0, y, x1 - x0, h, "rgba(74, 79, 90, 0.35)", 7);
        } else {
          ctx.fillStyle = "rgba(155, 135, 201, 0.28)"; ctx.fillRect(x0, y, x1 - x0, h);
        }
        if (x1 - x0 > 50) {
          ctx.fillStyle = d.what === "crashed" ? CRASHED : "#5e4a96"; ctx.font = "600 11px system-ui, sans-serif";
          ctx.fillText(d.what, x0 + 4, y + 12);
        }
        hitList.push({ kind: "band", x0: x0, x1: x1, y0: y, y1: y + h, line: d.line, prio: 0 });
      }
    }

    // Client operations: a bar from invoke to complete.
    for (let c = 0; c < clients.length; c++) {
      const lane = nodes.length + c, y = top + lane * lh + lh * 0.3, h = lh * 0.4;
      const o = ops[c];
      let k = lowerBoundBy(o, a, x => x.t1);
      for (; k < o.length && o[k].t0 <= b; k++) {
        const op = o[k];
        const x0 = Math.max(L, xOf(op.t0)), x1 = Math.max(x0 + 1.5, Math.min(R, xOf(op.t1)));
        const done = op.complete >= 0, fields = done ? lines[op.complete] : null;
        const failed = fields && (fields.ok === false || fields.type === "fail" || fields.type === "info");
        ctx.fillStyle = !done ? "#b0b6bf" : failed ? "#f57c00" : "#43a047";
        ctx.fillRect(x0, y, x1 - x0, h);
        if (x1 - x0 > 40) {
          ctx.fillStyle = "#ffffff"; ctx.font = "10px system-ui, sans-serif";
          ctx.fillText(op.label, x0 + 2, y + h - 3);
        }
        hitList.push({ kind: "op", x0: x0, x1: x1, y0: y, y1: y + h, op: op, prio: 2 });
      }
    }

    // Protocol marks: a tick per event, or a density strip when too many.
    for (let i = 0; i < nodes.length; i++) {
      const [from, to] = visibleRange(markT[i], a, b);
      const yMid = laneY(i), count = to - from;
      if (count > MARK_LIMIT / Math.max(1, nodes.length)) {
        const cols = new Uint32Array(Math.ceil(R - L) + 1);
        for (let k = from; k < to; k++) cols[Math.floor(xOf(markT[i][k]) - L)]++;
        let peak = 1;
        for (const v of cols) peak = Math.max(peak, v);
        for (let x = 0; x < cols.length; x++) if (cols[x]) {
          ctx.fillStyle = "rgba(60, 70, 90, " + (0.15 + 0.6 * cols[x] / peak) + ")";
          ctx.fillRect(L + x, yMid + lh * 0.18, 1, lh * 0.18);
        }
        summary.marks += count;
        continue;
      }
      ctx.fillStyle = "rgba(60, 70, 90, 0.55)";
      for (let k = from; k < to; k++) {
        const mk = marks[i][k], x = xOf(mk.t);
        const l = lines[mk.line];
        const isRole = roleOf(l) !== null;
        if (isRole) {
          ctx.fillStyle = ROLE_COLORS[l.kind] || ROLE_COLORS[l.role] || OTHER_ROLE_COLOR;
          ctx.beginPath(); ctx.arc(x, top + i * lh + 2 + bandH / 2, Math.min(5, bandH / 2 + 1), 0, 7); ctx.fill();
          ctx.strokeStyle = "#5b4500"; ctx.lineWidth = 0.8; ctx.stroke();
          ctx.fillStyle = "rgba(60, 70, 90, 0.55)";
        } else {
          ctx.fillRect(x - 0.5, yMid + lh * 0.18, 1, lh * 0.18);
        }
        hitList.push({ kind: "mark", x: x, y: isRole ? top + i * lh + 2 + bandH / 2 : yMid + lh * 0.27, line: mk.line, prio: 3 });
        summary.marks++;
      }
    }

    // Messages.
    const visible = [];
    const from = lowerBound(shortT0, a - maxFlight), to = lowerBound(shortT0, b + 1);
    for (let k = from; k < to; k++) {
      const m = shortMsgs[k];
      if (m.t1 >= a && !hiddenTypes.has(m.type)) visible.push(m);
    }
    for (const m of longMsgs)
      if (m.t0 <= b && (m.t1 === null ? tEnd : m.t1) >= a && !hiddenTypes.has(m.type)) visible.push(m);
    const arrowEnd = m => (m.t1 === null ? tEnd : m.t1);
    if (visible.length > ARROW_LIMIT) {
      // Aggregate: one arrow per (sender, receiver, outcome, column of the send).
      const buckets = new Map();
      for (const m of visible) {
        if (m.from === undefined || m.to === undefined || m.from < 0) continue;
        const col = Math.floor((xOf(m.t0) - L) / AGG_COLUMN_PX);
        const dropped = m.endKind === "drop" ? 1 : 0;
        const key = ((col * 4096 + m.from) * 4096 + m.to) * 2 + dropped;
        let bk = buckets.get(key);
        if (!bk) { bk = { n: 0, s0: 0, s1: 0, from: m.from, to: m.to, dropped: dropped, types: new Map(), tMin: m.t0, tMax: m.t0 }; buckets.set(key, bk); }
        bk.n++; bk.s0 += m.t0; bk.s1 += arrowEnd(m);
        bk.tMin = Math.min(bk.tMin, m.t0); bk.tMax = Math.max(bk.tMax, m.t0);
        bk.types.set(m.type, (bk.types.get(m.type) || 0) + 1);
      }
      let peak = 1;
      for (const bk of buckets.values()) peak = Math.max(peak, bk.n);
      for (const bk of buckets.values()) {
        let best = null, bestN = -1;
        for (const [t, n] of bk.types) if (n > bestN) { best = t; bestN = n; }
        const x0 = xOf(bk.s0 / bk.n), x1 = xOf(bk.s1 / bk.n), y0 = laneY(bk.from), y1 = laneY(bk.to);
        const w = bk.n / peak;
        ctx.strokeStyle = bk.dropped ? DROP : colourOf(best);
        ctx.globalAlpha = 0.25 + 0.6 * w;
        ctx.lineWidth = 0.8 + 3 * w;
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
        hitList.push({ kind: "aggregate", x0: x0, y0: y0, x1: x1, y1: y1, bucket: bk, prio: 4 });
        summary.aggregateArrows++;
        summary.aggregatedMessages += bk.n;
        if (bk.dropped) summary.drops += bk.n;
      }
      ctx.globalAlpha = 1;
    } else {
      for (const m of visible) {
        if (m.from === undefined || m.to === undefined || m.from < 0) continue;
        const x0 = xOf(m.t0), x1 = xOf(arrowEnd(m)), y0 = laneY(m.from), y1 = laneY(m.to);
        const dropped = m.endKind === "drop", lost = m.t1 === null;
        const isSel = selected && selected.kind === "message" && selected.m === m;
        ctx.strokeStyle = dropped ? DROP : colourOf(m.type);
        ctx.lineWidth = isSel ? 3 : 1.2;
        ctx.setLineDash(dropped || lost ? [4, 3] : []);
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
        ctx.setLineDash([]);
        const len = Math.hypot(x1 - x0, y1 - y0);
        if (dropped) {
          ctx.lineWidth = 2; ctx.beginPath();
          ctx.moveTo(x1 - 4, y1 - 4); ctx.lineTo(x1 + 4, y1 + 4); ctx.moveTo(x1 - 4, y1 + 4); ctx.lineTo(x1 + 4, y1 - 4);
          ctx.stroke();
          if (visible.length < 400 && m.reason) {
            ctx.fillStyle = DROP; ctx.font = "10px system-ui, sans-serif";
            ctx.fillText(m.reason, x1 + 5, y1 + (y1 > y0 ? 11 : -4));
          }
          summary.drops++;
        } else if (!lost && len > 14) {
          const ang = Math.atan2(y1 - y0, x1 - x0), hl = Math.min(8, len / 3);
          ctx.fillStyle = ctx.strokeStyle;
          ctx.beginPath(); ctx.moveTo(x1, y1);
          ctx.lineTo(x1 - hl * Math.cos(ang - 0.4), y1 - hl * Math.sin(ang - 0.4));
          ctx.lineTo(x1 - hl * Math.cos(ang + 0.4), y1 - hl * Math.sin(ang + 0.4));
          ctx.closePath(); ctx.fill();
        }
        if (visible.length < 250 && Math.abs(x1 - x0) > 70) {
          ctx.fillStyle = "#3b4456"; ctx.font = "10px system-ui, sans-serif";
          ctx.save(); ctx.translate((x0 + x1) / 2, (y0 + y1) / 2); ctx.rotate(Math.atan2(y1 - y0, x1 - x0));
          ctx.fillText(m.type, -ctx.measureText(m.type).width / 2, -3); ctx.restore();
        }
        hitList.push({ kind: "message", x0: x0, y0: y0, x1: x1, y1: y1, m: m, prio: 5 });
        summary.arrows++;
        if (!summary.arrowSample && !dropped && !lost && x0 > L && x1 < R && Math.abs(y1 - y0) > 20)
          summary.arrowSample = { x: (x0 + x1) / 2, y: (y0 + y1) / 2, colour: colourOf(m.type), id: lines[m.send].id };
      }
    }

    // Faults: a symbol on the lane (or a line over every lane when network-wide).
    const [f0, f1] = visibleRange(faultT, a, b);
    for (let k = f0; k < f1; k++) {
      const f = faultMarks[k], l = lines[f.line], x = xOf(f.t);
      const what = String(l.fault || l.kind);
      if (f.lane < 0) {
        ctx.strokeStyle = "rgba(183, 28, 28, 0.7)"; ctx.lineWidth = 1; ctx.setLineDash([2, 3]);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke(); ctx.setLineDash([]);
        hitList.push({ kind: "mark", x: x, y: top + 8, line: f.line, prio: 6 });
      } else {
        const y = laneY(f.lane);
        ctx.lineWidth = 2.2;
        if (what === "crash") {
          ctx.strokeStyle = "#212121";
          ctx.beginPath(); ctx.moveTo(x - 6, y - 6); ctx.lineTo(x + 6, y + 6); ctx.moveTo(x - 6, y + 6); ctx.lineTo(x + 6, y - 6); ctx.stroke();
        } else if (what === "restart" || what === "resume") {
          ctx.fillStyle = "#2e7d32";
          ctx.beginPath(); ctx.moveTo(x, y - 7); ctx.lineTo(x + 6, y + 5); ctx.lineTo(x - 6, y + 5); ctx.closePath(); ctx.fill();
        } else if (what === "pause") {
          ctx.fillStyle = "#5e4a96"; ctx.fillRect(x - 5, y - 6, 3, 12); ctx.fillRect(x + 1, y - 6, 3, 12);
        } else {
          ctx.fillStyle = "#b71c1c"; ctx.beginPath(); ctx.arc(x, y, 4, 0, 7); ctx.fill();
        }
        hitList.push({ kind: "mark", x: x, y: y, line: f.line, prio: 6 });
      }
      summary.faults++;
    }

    // The violation: a band over every lane and a ring on its node.
    for (const v of violations) {
      const x = xOf(v.t);
      if (x < L - 20 || x > R + 20) continue;
      const y = v.lane >= 0 ? laneY(v.lane) : (top + bottom) / 2;
      ctx.fillStyle = "rgba(216, 27, 96, 0.16)"; ctx.fillRect(x - 6, top, 12, bottom - top);
      ctx.strokeStyle = VIOLATION; ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
      ctx.beginPath(); ctx.arc(x, y, 11, 0, 7); ctx.stroke();
      ctx.fillStyle = VIOLATION; ctx.beginPath(); ctx.arc(x, y, 5, 0, 7); ctx.fill();
      const l = lines[v.line];
      const text = "VIOLATION " + (l.checker || "") + (l.node ? " on " + l.node : "") + " at " + fmtTime(v.t, 1e9);
      ctx.font = "700 12px system-ui, sans-serif";
      const tw = ctx.measureText(text).width;
      const tx = Math.min(Math.max(L + 4, x - tw - 18), R - tw - 12), ty = Math.max(top + 18, y - 18);
      ctx.fillStyle = VIOLATION; ctx.fillRect(tx - 5, ty - 14, tw + 10, 19);
      ctx.fillStyle = "#ffffff"; ctx.fillText(text, tx, ty);
      hitList.push({ kind: "mark", x: x, y: y, line: v.line, prio: 9, r: 14 });
      if (x >= L && x <= R) {
        summary.violationVisible = true; summary.violationX = Math.round(x); summary.violationY = Math.round(y);
      }
    }
    ctx.restore();

    // Lane labels, with the role each node holds at the window's left edge.
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, L, height);
    for (let i = 0; i < laneCount; i++) {
      const y = top + i * lh;
      ctx.fillStyle = i % 2 ? "#eef0f4" : "#f7f8fa"; ctx.fillRect(0, y, L - 4, lh);
      ctx.strokeStyle = "#e3e6eb"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(0, y + lh); ctx.lineTo(R, y + lh); ctx.stroke();
      ctx.fillStyle = "#1d2430"; ctx.font = "700 " + Math.min(15, Math.max(10, lh * 0.34)) + "px system-ui, sans-serif";
      ctx.fillText(laneNames[i], 10, y + lh / 2 + (lh > 34 ? -2 : 4));
      if (i < nodes.length && lh > 34) {
        const r = roles[i], k = lowerBoundBy(r, a, x => x.t1);
        const here = k < r.length && r[k].t0 <= a ? r[k] : null;
        const down = downs[i].find(d => d.t0 <= a && d.t1 > a);
        const label = down ? down.what : here ? here.role + (here.term !== undefined ? " · term " + here.term : "") : "";
        if (label) {
          ctx.font = "11px system-ui, sans-serif";
          ctx.fillStyle = down ? CRASHED : (here && ROLE_COLORS[here.role] === ROLE_COLORS.leader ? "#8a6500" : "#4b5568");
          ctx.fillText(label, 10, y + lh / 2 + 13);
        }
      }
      summary.lanes++;
      summary.laneNames.push(laneNames[i]);
    }

    // Time axis.
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, width, top);
    const span = b - a, target = span / Math.max(2, (R - L) / 110);
    const pow = Math.pow(10, Math.floor(Math.log10(Math.max(1, target))));
    const step = [1, 2, 5, 10].map(s => s * pow).find(s => s >= target) || pow * 10;
    ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "alphabetic";
    for (let t = Math.ceil(a / step) * step; t <= b; t += step) {
      const x = xOf(t);
      ctx.strokeStyle = "rgba(29, 36, 48, 0.07)"; ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
      ctx.strokeStyle = "#8a93a3"; ctx.beginPath(); ctx.moveTo(x, top - 6); ctx.lineTo(x, top); ctx.stroke();
      ctx.fillStyle = "#3b4456"; ctx.fillText(fmtTime(t, step), x + 3, top - 10);
    }
    ctx.fillStyle = "#6b7585"; ctx.fillText("virtual time →", 10, top - 10);

    drawOverview();
    document.getElementById("window-label").textContent =
      fmtTime(a, span) + " – " + fmtTime(b, span) + "  (" + fmtTime(span) + " shown)";
    summary.drawMs = Math.round((performance.now() - started) * 10) / 10;
    writeSummary(summary);
  }

  // The whole run in a strip: message density, faults, the violation, and the window.
  let overviewCache = null;
  function drawOverview() {
    const L = plotLeft(), R = plotRight(), y = height - OVERVIEW_H, h = OVERVIEW_H - 14;
    const xo = t => L + (t - tStart) / (tEnd - tStart) * (R - L);
    if (!overviewCache || overviewCache.w !== R - L) {
      const cols = new Uint32Array(Math.ceil(R - L) + 1);
      for (const m of msgs) cols[Math.floor(xo(m.t0) - L)]++;
      let peak = 1;
      for (const v of cols) peak = Math.max(peak, v);
      overviewCache = { w: R - L, cols: cols, peak: peak };
    }
    ctx.fillStyle = "#f1f3f6"; ctx.fillRect(L, y, R - L, h);
    for (const p of partitions) { ctx.fillStyle = "rgba(229, 57, 53, 0.18)"; ctx.fillRect(xo(p.t0), y, xo(p.t1) - xo(p.t0), h); }
    ctx.fillStyle = "#7d8da6";
    const c = overviewCache;
    for (let x = 0; x < c.cols.length; x++) if (c.cols[x]) {
      const bh = Math.max(1, h * c.cols[x] / c.peak);
      ctx.fillRect(L + x, y + h - bh, 1, bh);
    }
    for (const f of faultMarks) {
      if (f.lane < 0) continue;
      const what = lines[f.line].fault;
      ctx.fillStyle = what === "crash" ? "#212121" : what === "restart" ? "#2e7d32" : "#5e4a96";
      ctx.fillRect(xo(f.t) - 0.5, y, 1, 5);
    }
    for (const v of violations) { ctx.fillStyle = VIOLATION; ctx.fillRect(xo(v.t) - 1.5, y - 2, 3, h + 4); }
    ctx.strokeStyle = "#1d2430"; ctx.lineWidth = 1.5;
    const w0 = xo(viewStart), w1 = xo(viewEnd);
    ctx.fillStyle = "rgba(29, 36, 48, 0.10)"; ctx.fillRect(w0, y, Math.max(2, w1 - w0), h);
    ctx.strokeRect(w0, y, Math.max(2, w1 - w0), h);
    ctx.fillStyle = "#6b7585"; ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("whole run", 10, y + 12);
    ctx.fillText(fmtTime(tEnd - tStart) + ", " + lines.length.toLocaleString("en-US") + " events", 10, y + 26);
  }

  // Whether the canvas really shows `colour` within 3 px of (x, y): what a
  // person would see there, read back from the pixels.
  function seenNear(x, y, colour) {
    const want = [1, 3, 5].map(i => parseInt(colour.slice(i, i + 2), 16));
    const px = ctx.getImageData(Math.round((x - 3) * dpr), Math.round((y - 3) * dpr), Math.round(7 * dpr), Math.round(7 * dpr)).data;
    for (let i = 0; i < px.length; i += 4)
      if (Math.abs(px[i] - want[0]) + Math.abs(px[i + 1] - want[1]) + Math.abs(px[i + 2] - want[2]) < 60) return true;
    return false;
  }

  function writeSummary(s) {
    lastSummary = s;
    const el = document.getElementById("render-summary");
    el.dataset.events = String(lines.length);
    el.dataset.nodes = nodes.join(",");
    el.dataset.lanes = String(s.lanes);
    el.dataset.laneNames = s.laneNames.join(",");
    el.dataset.messages = String(msgs.length);
    el.dataset.arrowsDrawn = String(s.arrows);
    el.dataset.aggregateArrowsDrawn = String(s.aggregateArrows);
    el.dataset.aggregatedMessages = String(s.aggregatedMessages);
    el.dataset.dropsDrawn = String(s.drops);
    el.dataset.faultsDrawn = String(s.faults);
    el.dataset.violations = String(violations.length);
    el.dataset.violationVisible = String(s.violationVisible);
    el.dataset.violationX = s.violationX === null ? "" : String(s.violationX);
    el.dataset.violationY = s.violationY === null ? "" : String(s.violationY);
    el.dataset.violationPixelSeen = String(s.violationX !== null && seenNear(s.violationX, s.violationY, VIOLATION));
    el.dataset.arrowSampled = s.arrowSample ? "message " + s.arrowSample.id + " at " + Math.round(s.arrowSample.x) + "," + Math.round(s.arrowSample.y) : "";
    el.dataset.arrowPixelSeen = String(!!s.arrowSample && seenNear(s.arrowSample.x, s.arrowSample.y, s.arrowSample.colour));
    el.dataset.viewport = Math.round(width) + "x" + Math.round(height);
    el.dataset.window = Math.round(viewStart) + ".." + Math.round(viewEnd);
    el.dataset.parseMs = parseMs.toFixed(1);
    el.dataset.indexMs = indexMs.toFixed(1);
    el.dataset.drawMs = String(s.drawMs);
    el.dataset.ready = "true";
  }

  // ---- Legend -------------------------------------------------------------
  function buildLegend() {
    const legend = document.getElementById("legend");
    const add = (html, cls) => { const s = document.createElement("span"); s.className = "item " + (cls || ""); s.innerHTML = html; legend.appendChild(s); return s; };
    add('<span class="swatch" style="background:' + ROLE_COLORS.leader + '"></span>leader');
    add('<span class="swatch" style="background:' + ROLE_COLORS.candidate + '"></span>candidate');
    add('<span class="swatch" style="background:' + ROLE_COLORS.follower + '"></span>follower');
    add('<span class="swatch" style="background:rgba(74,79,90,0.45)"></span>crashed');
    add('<span class="swatch" style="background:rgba(155,135,201,0.5)"></span>paused');
    add('<span class="swatch" style="background:rgba(229,57,53,0.25)"></span>partitioned');
    add('<span class="line" style="border-color:' + DROP + ';border-top-style:dashed"></span>dropped ✕');
    add('<span class="line" style="border-color:#7f8896;border-top-style:dashed"></span>in flight at the end');
    add('<span class="swatch" style="background:' + VIOLATION + '"></span>violation');
    if (clients.length) add('<span class="swatch" style="background:#43a047"></span>client op');
    const sep = document.createElement("span"); sep.className = "sep"; legend.appendChild(sep);
    for (const [type, colour] of types) {
      const item = add('<span class="line" style="border-color:' + colour + '"></span>' + escapeHtml(type), "toggle");
      item.title = "Show or hide " + type + " messages";
      item.addEventListener("click", () => {
        if (hiddenTypes.has(type)) hiddenTypes.delete(type); else hiddenTypes.add(type);
        item.classList.toggle("off", hiddenTypes.has(type));
        schedule();
      });
    }
  }

  // ---- Details panel --------------------------------------------------------
  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  }
  function fieldsTable(line) {
    let html = "<table>";
    for (const key of Object.keys(line)) {
      let v = line[key];
      let text = typeof v === "object" ? JSON.stringify(v) : String(v);
      if (key === "t") text += "  (" + fmtExact(v) + ")";
      html += '<tr><td class="key">' + escapeHtml(key) + '</td><td class="value">' + escapeHtml(text) + "</td></tr>";
    }
    return html + "</table>";
  }
  function showDetails(title, sections, zoomTo) {
    document.getElementById("details-title").textContent = title;
    let html = "";
    for (const [heading, line] of sections) html += "<h4>" + escapeHtml(heading) + "</h4>" + fieldsTable(line);
    const body = document.getElementById("details-body");
    body.innerHTML = html;
    if (zoomTo) {
      const btn = document.createElement("button");
      btn.textContent = "zoom to it";
      btn.addEventListener("click", () => { const pad = Math.max(2e5, (zoomTo[1] - zoomTo[0]) * 0.6); setWindow(zoomTo[0] - pad, zoomTo[1] + pad); });
      body.appendChild(btn);
    }
    document.getElementById("details").hidden = false;
  }
  function select(hit) {
    if (!hit) { selected = null; document.getElementById("details").hidden = true; schedule(); return; }
    if (hit.kind === "message") {
      const m = hit.m, sections = [["send (line " + (m.send + 1) + ")", lines[m.send]]];
      if (m.end >= 0) sections.push([m.endKind + " (line " + (m.end + 1) + ")", lines[m.end]]);
      else sections.push(["still in flight at the end of the trace", {}]);
      const flight = m.t1 === null ? "" : " · " + fmtTime(m.t1 - m.t0) + " in flight";
      showDetails(m.type + " " + nodes[m.from] + " → " + nodes[m.to] + (m.endKind === "drop" ? " (dropped: " + m.reason + ")" : "") + flight,
                  sections, [m.t0, m.t1 === null ? m.t0 : m.t1]);
      selected = { kind: "message", m: m };
    } else if (hit.kind === "aggregate") {
      const bk = hit.bucket, summary = { messages: bk.n, from: nodes[bk.from], to: nodes[bk.to], sent_from: bk.tMin, sent_to: bk.tMax,
                                        outcome: bk.dropped ? "dropped" : "delivered or in flight" };
      for (const [t, n] of bk.types) summary["type " + t] = n;
      showDetails(bk.n + " messages " + nodes[bk.from] + " → " + nodes[bk.to] + " (zoom in to see each)", [["aggregate arrow", summary]], [bk.tMin, bk.tMax]);
      selected = { kind: "aggregate" };
    } else if (hit.kind === "op") {
      const sections = [["invoke (line " + (hit.op.invoke + 1) + ")", lines[hit.op.invoke]]];
      if (hit.op.complete >= 0) sections.push(["complete (line " + (hit.op.complete + 1) + ")", lines[hit.op.complete]]);
      showDetails("client operation " + hit.op.label, sections, [hit.op.t0, hit.op.t1]);
      selected = { kind: "op" };
    } else {
      const l = lines[hit.line];
      showDetails(l.kind + (l.node ? " on " + l.node : "") + " at " + fmtTime(l.t, 1e9), [["line " + (hit.line + 1), l]], [l.t, l.t]);
      selected = { kind: "line", line: hit.line };
    }
    schedule();
  }

  function distanceToSegment(px, py, x0, y0, x1, y1) {
    const dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    const u = len2 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2)) : 0;
    return Math.hypot(px - (x0 + u * dx), py - (y0 + u * dy));
  }
  function hitAt(px, py) {
    let best = null, bestScore = Infinity;
    for (const h of hitList) {
      let d;
      if (h.kind === "message" || h.kind === "aggregate") d = distanceToSegment(px, py, h.x0, h.y0, h.x1, h.y1);
      else if (h.kind === "mark") d = Math.hypot(px - h.x, py - h.y) - (h.r || 0);
      else d = (px >= h.x0 && px <= h.x1 && py >= h.y0 && py <= h.y1) ? 4.5 : Infinity;
      if (d > 6) continue;
      const score = d - h.prio * 0.5;
      if (score < bestScore) { bestScore = score; best = h; }
    }
    return best;
  }

  // ---- Input --------------------------------------------------------------
  function zoomAt(x, factor) {
    const t = tOf(Math.max(plotLeft(), Math.min(plotRight(), x)));
    setWindow(t - (t - viewStart) * factor, t + (viewEnd - t) * factor);
  }
  canvas.addEventListener("wheel", e => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = (e.shiftKey ? e.deltaY : e.deltaX) / (plotRight() - plotLeft()) * (viewEnd - viewStart);
      setWindow(viewStart + d, viewEnd + d);
    } else {
      zoomAt(e.clientX - r.left, Math.exp(e.deltaY * 0.0015));
    }
  }, { passive: false });
  let drag = null;
  canvas.addEventListener("mousedown", e => {
    const r = canvas.getBoundingClientRect();
    drag = { x: e.clientX, start: viewStart, end: viewEnd, moved: false, inOverview: e.clientY - r.top > height - OVERVIEW_H };
  });
  window.addEventListener("mousemove", e => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 3) { drag.moved = true; canvas.classList.add("dragging"); }
    if (!drag.moved) return;
    const scale = drag.inOverview ? -(tEnd - tStart) / (plotRight() - plotLeft()) : (drag.end - drag.start) / (plotRight() - plotLeft());
    setWindow(drag.start - dx * scale, drag.end - dx * scale);
  });
  window.addEventListener("mouseup", e => {
    if (!drag) return;
    const r = canvas.getBoundingClientRect();
    const wasDrag = drag.moved, inOverview = drag.inOverview;
    drag = null; canvas.classList.remove("dragging");
    if (wasDrag) return;
    const x = e.clientX - r.left, y = e.clientY - r.top;
    if (inOverview) {
      const t = tStart + (x - plotLeft()) / (plotRight() - plotLeft()) * (tEnd - tStart), half = (viewEnd - viewStart) / 2;
      setWindow(t - half, t + half);
      return;
    }
    if (e.target === canvas) select(hitAt(x, y));
  });
  function goToViolation() {
    if (!violations.length) return false;
    const v = violations[0].t;
    // Show what led to it: the ~150 messages before it, at most the whole run.
    const k = lowerBound(shortT0, v);
    const back = k > 150 ? v - shortT0[k - 150] : v - tStart;
    const span = Math.max(back * 1.25, 2e6);
    setWindow(v - span * 0.62, v + span * 0.38);
    return true;
  }
  window.addEventListener("keydown", e => {
    if (e.target && e.target.tagName === "INPUT") return;
    const span = viewEnd - viewStart;
    if (e.key === "f") setWindow(tStart, tEnd);
    else if (e.key === "v") goToViolation();
    else if (e.key === "+" || e.key === "=") zoomAt((plotLeft() + plotRight()) / 2, 0.6);
    else if (e.key === "-") zoomAt((plotLeft() + plotRight()) / 2, 1 / 0.6);
    else if (e.key === "ArrowLeft") setWindow(viewStart - span * 0.2, viewEnd - span * 0.2);
    else if (e.key === "ArrowRight") setWindow(viewStart + span * 0.2, viewEnd + span * 0.2);
    else if (e.key === "Escape") select(null);
  });
  document.getElementById("btn-fit").addEventListener("click", () => setWindow(tStart, tEnd));
  document.getElementById("btn-violation").addEventListener("click", goToViolation);
  document.getElementById("btn-zoom-in").addEventListener("click", () => zoomAt((plotLeft() + plotRight()) / 2, 0.6));
  document.getElementById("btn-zoom-out").addEventListener("click", () => zoomAt((plotLeft() + plotRight()) / 2, 1 / 0.6));
  document.getElementById("details-close").addEventListener("click", () => select(null));
  window.addEventListener("resize", () => { resize(); overviewCache = null; schedule(); });

  // ---- Start: the violation in view, drawn before the load event ends -------
  buildLegend();
  if (!violations.length) document.getElementById("btn-violation").hidden = true;
  resize();
  // A link can open a window of its own: page.html#window=START..END (ns).
  const asked = /window=(\d+)\.\.(\d+)/.exec(location.hash);
  if (asked && Number(asked[2]) > Number(asked[1])) setWindow(Number(asked[1]), Number(asked[2]));
  else if (!goToViolation()) setWindow(tStart, tEnd);
  pending = true;  // draw now, synchronously, so a headless browser sees the frame
  draw();
  pending = false;
  if (violations.length && !asked) select({ kind: "mark", line: violations[0].line });
  document.getElementById("render-summary").dataset.openMs = (performance.now() - t0).toFixed(1);
  window.faultlineViewer = { summary: () => lastSummary, setWindow: setWindow, draw: draw };
})();
