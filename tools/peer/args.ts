// Command-line parsing for impnet-peer. Every malformed input becomes a
// UsageError (exit code 2 in the CLI); a target outside loopback and the
// private ranges becomes a TargetRefusedError (also exit 2).

import { parseListen, parseTarget, resolveTarget, UsageError, type Endpoint } from "./address.ts";
import { MAX_SIZE, MIN_SIZE, PATTERNS, type Pattern } from "./probe.ts";

export const MODES = ["echo", "sink", "flood", "broadcast", "serve-echo"] as const;
export type CliMode = (typeof MODES)[number];

export interface ParsedArgs {
  help: boolean;
  mode: CliMode | null;
  target?: Endpoint;
  listen?: Endpoint;
  bind?: Endpoint;
  count?: number;
  durationMs?: number;
  timeoutMs?: number;
  sizes?: number[];
  rate?: number;
  window?: number;
  pattern?: Pattern;
  json: boolean;
  report?: string;
}

export const USAGE = `usage: impnet-peer echo|flood|broadcast --target ADDRESS:PORT [options]
       impnet-peer sink --listen [ADDRESS:]PORT [options]
       impnet-peer serve-echo --listen [ADDRESS:]PORT
       impnet-peer --help`;

export const HELP = `impnet-peer: UDP test peer for impnet devices on a private LAN

${USAGE}

modes
  echo        send numbered probes to an echo app and match the echoes: loss,
              bursts, duplicates, reordering, corruption, round-trip percentiles
  sink        listen and account for what a device sends (probe streams get
              loss/duplicate/reorder/corruption accounting)
  flood       send as fast as possible (or at --rate) to load a device
  broadcast   send probes to a subnet broadcast address and list who answers
  serve-echo  plain Node dgram echo server (baseline for measurements)

options
  --target ADDRESS:PORT  destination; loopback (127/8) or private (10/8,
                         172.16/12, 192.168/16) IPv4 only
  --listen [ADDR:]PORT   local address for sink (default 0.0.0.0) and
                         serve-echo (default 127.0.0.1)
  --bind [ADDR:]PORT     local address for the sending socket
  --count N              datagrams per size (echo default 1000, broadcast 3);
                         sink/serve-echo: stop after N datagrams
  --duration T           run time per size: 500ms, 5s, 2m (flood default 5s)
  --size S               datagram bytes (UDP payload), ${MIN_SIZE}..${MAX_SIZE}; a list
                         16,64,1400 or a range 16..1472:64 (step) or 16..1472
                         (doubling); each size is a separate step (default 64)
  --rate R               packets/s (k/M suffixes); 0 or "max" = unpaced.
                         echo: unpaced is closed-loop with --window in flight
  --window N             echo: probes in flight when unpaced (default 16;
                         not with --rate)
  --timeout T            echo: a probe unanswered this long is lost (1s);
                         broadcast: wait for replies after the last probe (1s);
                         flood: wait for late replies (200ms);
                         sink: stop after this long without a datagram
  --pattern P            payload: random (default), zeros, ones (0xFF), counter
  --json                 print one JSON document (schema impnet-peer/report@1)
  --report FILE.html     write a self-contained HTML report
  --help                 this text

exit codes: 0 done, 1 runtime failure, 2 bad arguments or refused target,
130 interrupted twice`;

interface Spec {
  value: boolean;
  modes: readonly CliMode[];
}

const SEND: readonly CliMode[] = ["echo", "flood", "broadcast"];
const ALL: readonly CliMode[] = MODES;

const SPECS: Record<string, Spec> = {
  target: { value: true, modes: SEND },
  listen: { value: true, modes: ["sink", "serve-echo"] },
  bind: { value: true, modes: SEND },
  count: { value: true, modes: ALL },
  duration: { value: true, modes: ALL },
  timeout: { value: true, modes: ["echo", "flood", "broadcast", "sink"] },
  size: { value: true, modes: SEND },
  rate: { value: true, modes: SEND },
  window: { value: true, modes: ["echo"] },
  pattern: { value: true, modes: SEND },
  json: { value: false, modes: ALL },
  report: { value: true, modes: ["echo", "flood", "broadcast", "sink"] },
  help: { value: false, modes: ALL },
};

function scaled(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!m) throw new UsageError(`malformed ${what} "${text}"`);
  const mult = m[2] === "k" || m[2] === "K" ? 1e3 : m[2] === "M" || m[2] === "m" ? 1e6 : 1;
  return Number(m[1]) * mult;
}

export function parseCountArg(text: string, what = "count"): number {
  if (text.startsWith("-")) throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  const n = scaled(text, what);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer, got "${text}"`);
  return n;
}

/** "500ms", "2s", "1.5" (seconds), "2m" → milliseconds (> 0). */
export function parseTimeArg(text: string, what: string): number {
  if (text.startsWith("-")) throw new UsageError(`${what} must be positive, got "${text}"`);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`malformed ${what} "${text}" (use e.g. 500ms, 2s, 1m)`);
  const v = Number(m[1]);
  const ms = m[2] === "ms" ? v : m[2] === "m" ? v * 60_000 : v * 1000;
  if (!(ms > 0)) throw new UsageError(`${what} must be positive, got "${text}"`);
  return ms;
}

export function parseRateArg(text: string): number {
  if (text === "max" || text === "unpaced") return 0;
  if (/^-/.test(text)) throw new UsageError(`rate must not be negative, got "${text}"`);
  return scaled(text, "rate");
}

function checkSize(n: number, text: string): number {
  if (!Number.isInteger(n)) throw new UsageError(`malformed size "${text}"`);
  if (n > MAX_SIZE) throw new UsageError(`size ${n} is over the UDP/IPv4 maximum of ${MAX_SIZE}`);
  if (n < MIN_SIZE) throw new UsageError(`size ${n} is below the minimum of ${MIN_SIZE} (the probe header)`);
  return n;
}

/** "64", "16,64,512,1400", "16..1472:64" (step), "16..1472" (doubling, end included). */
export function parseSizeArg(text: string): number[] {
  if (text.startsWith("-")) throw new UsageError(`size must be positive, got "${text}"`);
  const range = /^(\d+)\.\.(\d+)(?::(\d+))?$/.exec(text);
  if (range) {
    const a = checkSize(Number(range[1]), text);
    const b = checkSize(Number(range[2]), text);
    if (b < a) throw new UsageError(`size range "${text}" runs backwards`);
    const out: number[] = [];
    if (range[3] !== undefined) {
      const step = Number(range[3]);
      if (step < 1) throw new UsageError(`size step must be positive in "${text}"`);
      for (let s = a; s <= b; s += step) out.push(s);
    } else {
      for (let s = a; s < b; s *= 2) out.push(s);
    }
    if (out[out.length - 1] !== b) out.push(b);
    if (out.length > 1000) throw new UsageError(`size range "${text}" has more than 1000 steps`);
    return out;
  }
  if (!/^\d+(,\d+)*$/.test(text)) throw new UsageError(`malformed size "${text}" (e.g. 64, 16,64,1400 or 16..1472:64)`);
  return text.split(",").map((p) => checkSize(Number(p), text));
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { help: false, mode: null, json: false };
  const seen = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h") {
      seen.set("help", true);
      continue;
    }
    if (!a.startsWith("--")) {
      if (a.startsWith("-") && a.length > 1) throw new UsageError(`unknown option "${a}"`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const spec = SPECS[name];
    if (!spec) throw new UsageError(`unknown option "--${name}"`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      seen.set(name, true);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = argv[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    }
    if (v === "") throw new UsageError(`option --${name} needs a value`);
    seen.set(name, v);
  }
  if (seen.has("help")) {
    out.help = true;
    return out;
  }
  if (positionals.length === 0) throw new UsageError("no mode given (echo, sink, flood, broadcast, serve-echo)");
  const mode = positionals[0]!;
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown mode "${mode}" (echo, sink, flood, broadcast, serve-echo)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  out.mode = mode as CliMode;
  for (const [name] of seen) {
    if (!SPECS[name]!.modes.includes(out.mode)) throw new UsageError(`option --${name} does not apply to mode ${out.mode}`);
  }
  const str = (k: string) => seen.get(k) as string | undefined;

  if (SEND.includes(out.mode)) {
    const t = str("target");
    if (t === undefined) throw new UsageError(`mode ${out.mode} needs --target ADDRESS:PORT`);
    out.target = resolveTarget(parseTarget(t));
  } else {
    const l = str("listen");
    if (l === undefined) throw new UsageError(`mode ${out.mode} needs --listen [ADDRESS:]PORT`);
    out.listen = parseListen(l, out.mode === "sink" ? "0.0.0.0" : "127.0.0.1", true);
  }
  const b = str("bind");
  if (b !== undefined) out.bind = parseListen(b, "0.0.0.0", true);
  const c = str("count");
  if (c !== undefined) out.count = parseCountArg(c);
  const d = str("duration");
  if (d !== undefined) out.durationMs = parseTimeArg(d, "duration");
  const to = str("timeout");
  if (to !== undefined) out.timeoutMs = parseTimeArg(to, "timeout");
  const s = str("size");
  if (s !== undefined) out.sizes = parseSizeArg(s);
  const r = str("rate");
  if (r !== undefined) out.rate = parseRateArg(r);
  const w = str("window");
  if (w !== undefined) {
    out.window = parseCountArg(w, "window");
    if (out.window > 65536) throw new UsageError(`window ${w} is over 65536`);
  }
  if (out.window !== undefined && out.rate !== undefined && out.rate > 0) {
    throw new UsageError("--window applies to unpaced echo only (drop --rate, or drop --window)");
  }
  const p = str("pattern");
  if (p !== undefined) {
    if (!(PATTERNS as readonly string[]).includes(p)) throw new UsageError(`unknown pattern "${p}" (random, zeros, ones, counter)`);
    out.pattern = p as Pattern;
  }
  out.json = seen.has("json");
  const rep = str("report");
  if (rep !== undefined) out.report = rep;
  return out;
}
