// Human-readable summaries of a report.

import type { ProgressInfo } from "./common.ts";
import type { EchoResult, ErrorCounts, FloodResult, PeerReport, Responder, SinkSource } from "./types.ts";

export function fmtNum(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "-";
  return n.toFixed(digits);
}

export function fmtMs(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return "-";
  if (n >= 100) return n.toFixed(1);
  if (n >= 10) return n.toFixed(2);
  return n.toFixed(3);
}

export function fmtBits(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${bps.toFixed(0)} bit/s`;
}

export function fmtPct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : "-";
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

// Table rows shared by the text summary and the HTML report.

/** The counting columns an echo row starts with (the latency and rate columns differ). */
export const ECHO_COUNT_COLUMNS = ["size", "sent", "received", "lost", "loss", "dup", "reord", "corrupt"];

export function echoCountCells(r: EchoResult): string[] {
  return [
    String(r.size),
    String(r.sent),
    String(r.received),
    String(r.lost),
    fmtPct(r.lost, r.sent),
    String(r.duplicated),
    String(r.reordered),
    String(r.corrupted),
  ];
}

export const FLOOD_COLUMNS = ["size", "sent", "bytes", "seconds", "sent/s", "bitrate", "send errors", "replies"];

export function floodRow(r: FloodResult): string[] {
  return [
    String(r.size),
    String(r.sent),
    String(r.bytes),
    (r.durationMs / 1000).toFixed(3),
    fmtNum(r.sentPps),
    fmtBits(r.sentBitsPerSec),
    String(r.errors.send),
    String(r.replies.packets),
  ];
}

/** Cells of a broadcast responder (the two outputs head them differently). */
export function responderRow(x: Responder): string[] {
  return [
    `${x.address}:${x.port}`,
    String(x.replies),
    String(x.matched),
    String(x.duplicated),
    String(x.corrupted),
    fmtMs(x.rttMs?.min),
    fmtMs(x.rttMs?.mean),
    fmtMs(x.rttMs?.max),
  ];
}

export const SOURCE_COLUMNS = ["source", "datagrams", "bytes"];

export function sourceRow(s: SinkSource): string[] {
  return [`${s.address}:${s.port}`, String(s.packets), String(s.bytes)];
}

function errorsText(e: ErrorCounts): string {
  return `errors: ${e.send} send, ${e.receive} receive (last: ${e.last})`;
}

function rateText(rate: number): string {
  return rate > 0 ? `paced ${rate} pkt/s` : "unpaced";
}

export function formatSummary(doc: PeerReport): string {
  const out: string[] = [];
  const o = doc.options;
  const limit = [o.count !== null ? `count ${o.count}` : null, o.durationMs !== null ? `duration ${o.durationMs / 1000} s` : null]
    .filter(Boolean)
    .join(", ");
  switch (doc.mode) {
    case "echo": {
      out.push(
        `echo ${doc.target}  ${rateText(o.rate)}${o.window !== null ? `, window ${o.window}` : ""}, ${limit}, pattern ${o.pattern}, timeout ${o.timeoutMs} ms`,
      );
      out.push(
        table(
          [...ECHO_COUNT_COLUMNS, "rtt p50", "p90", "p99", "p99.9", "max ms", "sent/s", "recv/s", "goodput"],
          doc.results.map((r) => [
            ...echoCountCells(r),
            fmtMs(r.rttMs?.p50),
            fmtMs(r.rttMs?.p90),
            fmtMs(r.rttMs?.p99),
            fmtMs(r.rttMs?.p999),
            fmtMs(r.rttMs?.max),
            fmtNum(r.sentPps),
            fmtNum(r.receivedPps),
            fmtBits(r.goodputBitsPerSec),
          ]),
        ),
      );
      for (const r of doc.results) {
        const notes: string[] = [];
        if (r.lossBursts.count) notes.push(`${r.lossBursts.count} loss bursts (longest ${r.lossBursts.max}, mean ${r.lossBursts.mean})`);
        if (r.late) notes.push(`${r.late} late echoes (after the timeout)`);
        if (r.invalid) notes.push(`${r.invalid} invalid datagrams`);
        if (r.errors.send || r.errors.receive) notes.push(errorsText(r.errors));
        if (notes.length) out.push(`size ${r.size}: ${notes.join("; ")}`);
      }
      break;
    }
    case "flood": {
      out.push(`flood ${doc.target}  ${rateText(o.rate)}, ${limit}, pattern ${o.pattern}`);
      out.push(table(FLOOD_COLUMNS, doc.results.map(floodRow)));
      for (const r of doc.results) {
        if (r.errors.last) out.push(`size ${r.size}: last error: ${r.errors.last}`);
      }
      break;
    }
    case "broadcast": {
      for (const r of doc.results) {
        out.push(
          `broadcast ${doc.target}: ${r.sent} probes of ${r.size} bytes, ${r.replies} replies from ${r.responders.length} responder${r.responders.length === 1 ? "" : "s"}`,
        );
        if (r.responders.length) {
          out.push(table(["responder", "replies", "matched", "dup", "corrupt", "rtt min", "mean", "max ms"], r.responders.map(responderRow)));
        }
        if (r.errors.send || r.errors.receive) out.push(errorsText(r.errors));
      }
      break;
    }
    case "sink": {
      const r = doc.results[0]!;
      const why = { count: "count reached", duration: "duration elapsed", idle: "idle timeout", aborted: "interrupted" }[r.endReason];
      out.push(
        `sink ${doc.listen}: ${r.packets} datagrams, ${r.bytes} bytes from ${r.sources.length} source${r.sources.length === 1 ? "" : "s"} ` +
          `in ${(r.durationMs / 1000).toFixed(3)} s (${why}); ${fmtNum(r.pps)} pkt/s, ${fmtBits(r.bitsPerSec)} over ${(r.activeMs / 1000).toFixed(3)} s of traffic`,
      );
      if (r.sources.length) {
        out.push(table(SOURCE_COLUMNS, r.sources.map(sourceRow)));
      }
      if (r.streams.length) {
        out.push(
          table(
            ["probe stream", "run id", "received", "expected", "lost", "loss", "dup", "reord", "corrupt", "bursts", "longest"],
            r.streams.map((s) => [
              `${s.address}:${s.port}`,
              s.runId.toString(16).padStart(8, "0"),
              String(s.received),
              String(s.expected),
              String(s.lost),
              fmtPct(s.lost, s.expected),
              String(s.duplicated),
              String(s.reordered),
              String(s.corrupted),
              String(s.lossBursts.count),
              String(s.lossBursts.max),
            ]),
          ),
        );
      }
      break;
    }
  }
  if (doc.aborted) out.push("(interrupted)");
  return out.join("\n") + "\n";
}

export function formatProgress(p: ProgressInfo): string {
  const step = p.steps > 1 ? ` [${p.step + 1}/${p.steps}]` : "";
  const size = p.size !== null ? ` size ${p.size}` : "";
  const secs = (p.elapsedMs / 1000).toFixed(1);
  if (p.mode === "sink") return `sink ${secs}s received ${p.received}`;
  if (p.mode === "flood") return `flood${step}${size} ${secs}s sent ${p.sent} (${fmtNum(p.sent / Math.max(p.elapsedMs / 1000, 1e-3))} pkt/s) replies ${p.received}`;
  return `${p.mode}${step}${size} ${secs}s sent ${p.sent} received ${p.received}`;
}
