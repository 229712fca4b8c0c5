// Self-contained HTML report: inline CSS and SVG, no scripts, no external
// assets. One section per result (size step) with a summary table, a
// round-trip-time histogram (log time axis) and throughput / loss over time.

import {
  ECHO_COUNT_COLUMNS,
  echoCountCells,
  FLOOD_COLUMNS,
  floodRow,
  fmtBits,
  fmtMs,
  fmtNum,
  fmtPct,
  responderRow,
  SOURCE_COLUMNS,
  sourceRow,
} from "./format.ts";
import type { HistogramBucket, PeerReport, Timeline } from "./types.ts";

const W = 760;
const H = 260;
const M = { l: 62, r: 16, t: 16, b: 44 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmtTick(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return `${+v.toFixed(2)}`;
  return `${+v.toPrecision(2)}`;
}

function yAxis(maxY: number, label: string, ticks = 5): string {
  const ih = H - M.t - M.b;
  let s = "";
  for (let i = 0; i <= ticks; i++) {
    const v = (maxY * i) / ticks;
    const y = M.t + ih - (ih * i) / ticks;
    s += `<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" class="grid"/>`;
    s += `<text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${fmtTick(v)}</text>`;
  }
  s += `<text transform="translate(14 ${M.t + ih / 2}) rotate(-90)" text-anchor="middle" class="lbl">${esc(label)}</text>`;
  return s;
}

function frame(inner: string, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">` +
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>${inner}</svg>`
  );
}

/** Histogram of round-trip times on a logarithmic millisecond axis. */
export function histogramSvg(buckets: HistogramBucket[], marks: Array<[string, number]>): string {
  if (buckets.length === 0) return frame(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no round-trip samples</text>`, "RTT histogram");
  let lo = buckets[0]![0];
  let hi = buckets[buckets.length - 1]![1];
  lo = Math.max(lo, 1e-4);
  let lmin = Math.floor(Math.log10(lo) * 4) / 4;
  let lmax = Math.ceil(Math.log10(hi) * 4) / 4;
  if (lmax - lmin < 0.5) {
    const c = (lmax + lmin) / 2;
    lmin = c - 0.25;
    lmax = c + 0.25;
  }
  const nBins = 60;
  const bins = new Array<number>(nBins).fill(0);
  for (const [a, b, c] of buckets) {
    const mid = Math.log10(Math.max(Math.sqrt(Math.max(a, 1e-4) * b), 1e-4));
    const i = Math.min(nBins - 1, Math.max(0, Math.floor(((mid - lmin) / (lmax - lmin)) * nBins)));
    bins[i]! += c;
  }
  const maxC = niceCeil(Math.max(...bins));
  const iw = W - M.l - M.r;
  const ih = H - M.t - M.b;
  const x = (ms: number) => M.l + ((Math.log10(ms) - lmin) / (lmax - lmin)) * iw;
  let s = yAxis(maxC, "datagrams", maxC < 5 ? maxC : 5);
  const bw = iw / nBins;
  bins.forEach((c, i) => {
    if (!c) return;
    const h = (c / maxC) * ih;
    s += `<rect x="${(M.l + i * bw + 0.5).toFixed(2)}" y="${(M.t + ih - h).toFixed(2)}" width="${Math.max(bw - 1, 1).toFixed(2)}" height="${h.toFixed(2)}" class="bar"><title>${c}</title></rect>`;
  });
  // x ticks at 1-2-5 steps inside the range
  for (let d = Math.floor(lmin); d <= Math.ceil(lmax); d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      const lv = Math.log10(v);
      if (lv < lmin - 1e-9 || lv > lmax + 1e-9) continue;
      const xx = x(v);
      s += `<line x1="${xx}" x2="${xx}" y1="${M.t + ih}" y2="${M.t + ih + 5}" class="axis"/>`;
      s += `<text x="${xx}" y="${M.t + ih + 18}" text-anchor="middle">${fmtTick(v)}</text>`;
    }
  }
  s += `<line x1="${M.l}" x2="${W - M.r}" y1="${M.t + ih}" y2="${M.t + ih}" class="axis"/>`;
  s += `<text x="${M.l + iw / 2}" y="${H - 6}" text-anchor="middle" class="lbl">round-trip time (ms, log scale)</text>`;
  marks.forEach(([name, v], k) => {
    if (!(v > 0)) return;
    const xx = Math.min(W - M.r, Math.max(M.l, x(v)));
    s += `<line x1="${xx}" x2="${xx}" y1="${M.t}" y2="${M.t + ih}" class="mark"/>`;
    const right = xx > W - M.r - 90;
    s += `<text x="${right ? xx - 3 : xx + 3}" y="${M.t + 12 + k * 13}" class="marklbl"${right ? ' text-anchor="end"' : ""}>${esc(name)} ${fmtMs(v)}</text>`;
  });
  return frame(s, "RTT histogram");
}

const COLORS: Record<string, string> = { sent: "#4062bb", received: "#2a9d57", replies: "#2a9d57", packets: "#2a9d57" };

/** Lines of packets/s per series over time. */
export function rateSvg(t: Timeline, names: string[]): string {
  const n = Math.max(0, ...names.map((k) => t.series[k]?.length ?? 0));
  if (n === 0) return frame(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no traffic</text>`, "rate over time");
  const perSec = 1000 / t.binMs;
  let maxV = 0;
  for (const k of names) for (const v of t.series[k] ?? []) maxV = Math.max(maxV, v * perSec);
  maxV = niceCeil(maxV);
  const iw = W - M.l - M.r;
  const ih = H - M.t - M.b;
  const x = (i: number) => M.l + ((i + 0.5) / n) * iw;
  let s = yAxis(maxV, "packets/s");
  s += timeAxis(n, t.binMs);
  names.forEach((k, j) => {
    const arr = t.series[k];
    if (!arr?.length) return;
    const pts = arr.map((v, i) => `${x(i).toFixed(1)},${(M.t + ih - ((v * perSec) / maxV) * ih).toFixed(1)}`).join(" ");
    const c = COLORS[k] ?? "#555";
    s += `<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="1.6"${j ? ' stroke-dasharray="5 3"' : ""}/>`;
    s += `<rect x="${W - M.r - 150}" y="${M.t + 6 + j * 16}" width="12" height="3" fill="${c}"/><text x="${W - M.r - 132}" y="${M.t + 11 + j * 16}">${esc(k)}</text>`;
  });
  return frame(s, "rate over time");
}

function timeAxis(n: number, binMs: number): string {
  const iw = W - M.l - M.r;
  const ih = H - M.t - M.b;
  const total = (n * binMs) / 1000;
  const step = niceCeil(total / 8);
  let s = `<line x1="${M.l}" x2="${W - M.r}" y1="${M.t + ih}" y2="${M.t + ih}" class="axis"/>`;
  for (let v = 0; v <= total + 1e-9; v += step) {
    const xx = M.l + (v / total) * iw;
    s += `<line x1="${xx}" x2="${xx}" y1="${M.t + ih}" y2="${M.t + ih + 5}" class="axis"/><text x="${xx}" y="${M.t + ih + 18}" text-anchor="middle">${fmtTick(+v.toFixed(6))}</text>`;
  }
  s += `<text x="${M.l + iw / 2}" y="${H - 6}" text-anchor="middle" class="lbl">time (s, ${binMs} ms bins)</text>`;
  return s;
}

/** Loss per time bin as a percentage of lost / (lost + base). */
export function lossSvg(t: Timeline, lostKey: string, baseKey: string, baseIsTotal: boolean): string {
  const lost = t.series[lostKey] ?? [];
  const base = t.series[baseKey] ?? [];
  const n = Math.max(lost.length, base.length);
  if (n === 0) return frame(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`, "loss over time");
  const pct = new Array<number>(n).fill(0);
  let any = false;
  for (let i = 0; i < n; i++) {
    const l = lost[i] ?? 0;
    const b = base[i] ?? 0;
    const whole = baseIsTotal ? b : b + l;
    pct[i] = whole > 0 ? (100 * l) / whole : 0;
    if (l > 0) any = true;
  }
  const maxV = any ? Math.min(100, niceCeil(Math.max(...pct))) : 1;
  const iw = W - M.l - M.r;
  const ih = H - M.t - M.b;
  let s = yAxis(maxV, "lost (%)");
  s += timeAxis(n, t.binMs);
  const bw = iw / n;
  pct.forEach((v, i) => {
    if (!v) return;
    const h = Math.max(1, (v / maxV) * ih);
    s += `<rect x="${(M.l + i * bw).toFixed(2)}" y="${(M.t + ih - h).toFixed(2)}" width="${Math.max(bw - 0.5, 0.8).toFixed(2)}" height="${h.toFixed(2)}" class="loss"><title>${v.toFixed(2)}% (${lost[i] ?? 0} lost)</title></rect>`;
  });
  if (!any) s += `<text x="${M.l + iw / 2}" y="${M.t + ih / 2}" text-anchor="middle" class="ok">no loss</text>`;
  return frame(s, "loss over time");
}

function kv(rows: Array<[string, string]>): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>`;
}

function grid(header: string[], rows: string[][]): string {
  return `<table class="grid"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export function renderHtml(doc: PeerReport): string {
  const title = `impnet-peer ${doc.mode} ${doc.target ?? doc.listen ?? ""}`;
  const o = doc.options;
  const sections: string[] = [];

  if (doc.mode === "echo") {
    sections.push(
      `<h2>Summary</h2>` +
        grid(
          [...ECHO_COUNT_COLUMNS, "p50 ms", "p99", "max", "echoed/s", "goodput"],
          doc.results.map((r) => [
            ...echoCountCells(r),
            fmtMs(r.rttMs?.p50),
            fmtMs(r.rttMs?.p99),
            fmtMs(r.rttMs?.max),
            fmtNum(r.receivedPps),
            fmtBits(r.goodputBitsPerSec),
          ]),
        ),
    );
    for (const r of doc.results) {
      const p = r.rttMs;
      sections.push(
        `<h2>${r.size}-byte datagrams</h2>` +
          kv([
            ["sent / received / lost", `${r.sent} / ${r.received} / ${r.lost} (${fmtPct(r.lost, r.sent)})`],
            ["loss bursts", r.lossBursts.count ? `${r.lossBursts.count}, longest ${r.lossBursts.max}, mean ${r.lossBursts.mean}` : "none"],
            ["duplicated / reordered / corrupted", `${r.duplicated} / ${r.reordered} / ${r.corrupted}`],
            ["late / invalid", `${r.late} / ${r.invalid}`],
            ["round trip (ms)", p ? `min ${fmtMs(p.min)}, mean ${fmtMs(p.mean)}, p50 ${fmtMs(p.p50)}, p90 ${fmtMs(p.p90)}, p99 ${fmtMs(p.p99)}, p99.9 ${fmtMs(p.p999)}, max ${fmtMs(p.max)}` : "no samples"],
            ["rates", `${fmtNum(r.sentPps)} pkt/s sent, ${fmtNum(r.receivedPps)} pkt/s echoed, goodput ${fmtBits(r.goodputBitsPerSec)}, ${(r.durationMs / 1000).toFixed(3)} s`],
            ["errors", `${r.errors.send} send, ${r.errors.receive} receive${r.errors.last ? ` (last: ${r.errors.last})` : ""}`],
          ]) +
          `<h3>Round-trip time histogram</h3>` +
          histogramSvg(r.rttHistogram, p ? [["p50", p.p50], ["p99", p.p99], ["max", p.max]] : []) +
          `<h3>Loss over time</h3>` +
          lossSvg(r.timeline, "lost", "sent", true) +
          `<h3>Rate over time</h3>` +
          rateSvg(r.timeline, ["sent", "received"]),
      );
    }
  } else if (doc.mode === "flood") {
    sections.push(`<h2>Summary</h2>` + grid(FLOOD_COLUMNS, doc.results.map(floodRow)));
    for (const r of doc.results) {
      sections.push(`<h2>${r.size}-byte datagrams</h2><h3>Rate over time</h3>` + rateSvg(r.timeline, ["sent", "replies"]));
    }
  } else if (doc.mode === "broadcast") {
    for (const r of doc.results) {
      const p = r.rttMs;
      sections.push(
        `<h2>${r.size}-byte probes</h2>` +
          kv([
            ["probes sent", String(r.sent)],
            ["replies", `${r.replies} from ${r.responders.length} responder(s)`],
            ["round trip (ms)", p ? `min ${fmtMs(p.min)}, p50 ${fmtMs(p.p50)}, max ${fmtMs(p.max)}` : "no samples"],
          ]) +
          grid(["responder", "replies", "matched", "duplicated", "corrupted", "rtt min ms", "mean", "max"], r.responders.map(responderRow)) +
          `<h3>Round-trip time histogram</h3>` +
          histogramSvg(r.rttHistogram, p ? [["p50", p.p50], ["max", p.max]] : []),
      );
    }
  } else {
    const r = doc.results[0]!;
    sections.push(
      `<h2>Summary</h2>` +
        kv([
          ["datagrams / bytes", `${r.packets} / ${r.bytes}`],
          ["probe datagrams", String(r.probes)],
          ["listened / active", `${(r.durationMs / 1000).toFixed(3)} s / ${(r.activeMs / 1000).toFixed(3)} s`],
          ["rate", `${fmtNum(r.pps)} pkt/s, ${fmtBits(r.bitsPerSec)}`],
          ["ended by", r.endReason],
          [
            "probe totals",
            `received ${r.totals.received} of ${r.totals.expected}, lost ${r.totals.lost} (${fmtPct(r.totals.lost, r.totals.expected)}), dup ${r.totals.duplicated}, reordered ${r.totals.reordered}, corrupted ${r.totals.corrupted}`,
          ],
        ]) +
        `<h3>Sources</h3>` +
        grid(SOURCE_COLUMNS, r.sources.map(sourceRow)) +
        (r.streams.length
          ? `<h3>Probe streams</h3>` +
            grid(
              ["source", "run id", "received", "expected", "lost", "dup", "reordered", "corrupted", "bursts", "longest"],
              r.streams.map((s) => [
                `${s.address}:${s.port}`,
                s.runId.toString(16).padStart(8, "0"),
                String(s.received),
                String(s.expected),
                String(s.lost),
                String(s.duplicated),
                String(s.reordered),
                String(s.corrupted),
                String(s.lossBursts.count),
                String(s.lossBursts.max),
              ]),
            )
          : "") +
        `<h3>Loss over time</h3>` +
        lossSvg(r.timeline, "lost", "packets", false) +
        `<h3>Rate over time</h3>` +
        rateSvg(r.timeline, ["packets"]),
    );
  }

  const m = doc.machine;
  const meta = kv([
    ["mode", doc.mode],
    [doc.target ? "target" : "listen", doc.target ?? doc.listen ?? "-"],
    ["started", doc.date],
    ["elapsed", `${(doc.elapsedMs / 1000).toFixed(3)} s${doc.aborted ? " (interrupted)" : ""}`],
    [
      "options",
      [
        o.count !== null ? `count ${o.count}` : null,
        o.durationMs !== null ? `duration ${o.durationMs} ms` : null,
        o.rate ? `rate ${o.rate} pkt/s` : doc.mode === "sink" ? null : "unpaced",
        o.window !== null ? `window ${o.window}` : null,
        o.timeoutMs !== null ? `timeout ${o.timeoutMs} ms` : null,
        o.pattern ? `pattern ${o.pattern}` : null,
        o.sizes.length ? `sizes ${o.sizes.join(", ")}` : null,
      ]
        .filter(Boolean)
        .join(", "),
    ],
    ["machine", `${m.hostname}: ${m.os} ${m.release} ${m.arch}, ${m.cpus} × ${m.cpuModel}, Node ${m.node}`],
  ]);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:24px auto;max-width:860px;padding:0 16px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dce6;padding-bottom:4px}h3{font-size:14px;margin:18px 0 6px;color:#3b4456}
table{border-collapse:collapse;margin:6px 0}table.kv th{text-align:left;font-weight:600;padding:2px 14px 2px 0;color:#3b4456;vertical-align:top}table.kv td{padding:2px 0}
table.grid{font-variant-numeric:tabular-nums;font-size:12.5px;display:block;max-width:100%;overflow-x:auto}table.grid th,table.grid td{border:1px solid #d8dce6;padding:3px 7px;text-align:right}table.grid th{background:#f1f3f8}table.grid td:first-child,table.grid th:first-child{text-align:left}
svg{display:block;max-width:100%;height:auto;border:1px solid #e3e6ee;border-radius:4px}
svg text{font:11px system-ui,sans-serif;fill:#3b4456}svg .lbl{font-size:12px;fill:#1d2330}
.grid{stroke:#eceef4}.axis{stroke:#8a93a6}.bar{fill:#4062bb}.loss{fill:#d64545}.mark{stroke:#e08a1e;stroke-dasharray:4 3}.marklbl{fill:#b8650a;font-weight:600}.ok{fill:#2a9d57;font-size:14px}
details{margin-top:28px}pre{font-size:11px;background:#f6f7fa;padding:8px;overflow:auto}
</style></head><body>
<h1>${esc(title)}</h1>
${meta}
${sections.join("\n")}
<details><summary>Report JSON (${esc(doc.schema)})</summary><pre>${esc(JSON.stringify(doc, null, 1))}</pre></details>
</body></html>
`;
}
