/**
 * Shared helpers of the reliability suite (tests/reliability) and of the
 * soak runner (tools/soak.ts): sizes from the environment, the loopback
 * addresses each file owns, the legal Ethernet state machine, and what
 * /proc tells about sockets, file descriptors and memory.
 *
 * Node only (never bundled into an XS app).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Loopback addresses of this suite, one per test file so files can run in
 * parallel: 127.X.Y.20–29, with X and Y drawn at random per process. The XS
 * harness binds fixed ports inside some scenarios (the re-entrancy
 * scenarios' 20100–20109); on addresses no other run uses, two runs of the
 * suite (or a user's `npm start`) never want the same address and port. The
 * echo port itself is a free port (harness.ts).
 */
const NET = `127.${64 + Math.floor(Math.random() * 191)}.${Math.floor(Math.random() * 256)}`;
export const ADDRESS = {
  matrix: `${NET}.20`,
  fuzz: `${NET}.21`,
  links: `${NET}.22`,
  flood: `${NET}.23`,
  security: `${NET}.24`,
  soak: `${NET}.25`,
  soakFlaps: `${NET}.26`,
  soakFlood: `${NET}.27`,
  /** Extra sources for "random source" traffic. */
  peers: [`${NET}.28`, `${NET}.29`],
} as const;

/** An integer from the environment (`IMPNET_FLAPS=1000`), or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${text} is not an integer >= 0`);
  return value;
}

/** Sizes of the bounded (CI) runs, overridable by environment (the soak runner sets the big ones). */
export const SIZES = {
  /** Link flaps in link-faults.test.ts. */
  flaps: () => envInt("IMPNET_FLAPS", 200),
  /** Datagrams in the receive flood (flood.test.ts). */
  flood: () => envInt("IMPNET_FLOOD", 100_000),
  /** fast-check runs of the Blob fuzz (operation sequences). */
  blobRuns: () => envInt("IMPNET_FUZZ_BLOB", 100_000),
  /** fast-check runs of the in-process receive-path fuzz (datagrams). */
  receiveRuns: () => envInt("IMPNET_FUZZ_RECEIVE", 100_000),
  /** fast-check runs of the destination fuzz (send calls; in the fast tier, tests/unit/security.test.ts). */
  sendRuns: () => envInt("IMPNET_FUZZ_SEND", 20_000),
  /** Operation sequences replayed inside XS. */
  xsBlobSequences: () => envInt("IMPNET_FUZZ_XS_BLOB", 2_000),
  /** Real-socket datagrams through the simulator. */
  xsDatagrams: () => envInt("IMPNET_FUZZ_XS_RECEIVE", 2_000),
  /** Send calls fuzzed inside XS. */
  xsSends: () => envInt("IMPNET_FUZZ_XS_SEND", 5_000),
  /** fast-check seed of every fuzz (fixed so CI runs are reproducible). */
  seed: () => envInt("IMPNET_FUZZ_SEED", 20240611),
};

// ---------------------------------------------------------------- interface states

/** impOS state numbers used by the Ethernet machine (impos-net-spec.md §4). */
export const S = {
  STARTING: 0,
  CONNECTED: 1,
  ETHERNET_LINK_UP: 200,
  ETHERNET_DHCPING: 201,
  ETHERNET_STOPPED: 202,
  ETHERNET_STOPPED_UNHAPPY: 203,
  ETHERNET_STOPPED_NO_LINK: 204,
} as const;

/**
 * The legal Ethernet state sequence, as a state machine:
 * STARTING → ETHERNET_LINK_UP → ETHERNET_DHCPING → CONNECTED; from any state
 * → ETHERNET_STOPPED_NO_LINK or ETHERNET_STOPPED_UNHAPPY; from those →
 * ETHERNET_LINK_UP; never the same state twice in a row. The first state an
 * app sees is CONNECTED (apps start once eth0 is connected, as on impOS), or
 * STARTING when it was started at once.
 */
export function legalEthernetTransition(from: number | undefined, to: number): boolean {
  if (from === undefined) return to === S.STARTING || to === S.CONNECTED;
  if (from === to) return false;
  if (to === S.ETHERNET_STOPPED_NO_LINK || to === S.ETHERNET_STOPPED_UNHAPPY) return true;
  switch (from) {
    case S.STARTING:
      return to === S.ETHERNET_LINK_UP;
    case S.ETHERNET_LINK_UP:
      return to === S.ETHERNET_DHCPING;
    case S.ETHERNET_DHCPING:
      return to === S.CONNECTED;
    case S.ETHERNET_STOPPED_NO_LINK:
    case S.ETHERNET_STOPPED_UNHAPPY:
      return to === S.ETHERNET_LINK_UP;
    default:
      return false;
  }
}

/** Checks a whole observed sequence; returns the illegal transitions ("a→b at i"). */
export function illegalTransitions(states: readonly number[]): string[] {
  const bad: string[] = [];
  let previous: number | undefined;
  states.forEach((state, i) => {
    if (!legalEthernetTransition(previous, state)) bad.push(`${previous ?? "(start)"}→${state} at #${i}`);
    previous = state;
  });
  return bad;
}

// ---------------------------------------------------------------- /proc

/** Open file descriptors of this process (sockets included). */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Open sockets among this process's file descriptors. */
export function openSocketFds(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes, or undefined when it is gone. */
export function memoryOf(pid: number | "self"): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return match === null ? 0 : Number(match[1]) * 1024;
    };
    return { rss: field("VmRSS"), peak: field("VmHWM") };
  } catch {
    return undefined;
  }
}

/** Pids of the XS engines (xsnap-worker) this process started. */
export function xsWorkerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("xsnap")) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export { kernelDrops } from "../support/wait";

/** Bytes as "12.3 MiB". */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Resolves after `ms` milliseconds (pacing a sender or a poll, never before an assertion). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { until } from "../support/wait";

let collect: (() => void) | undefined;

/** Runs a full V8 garbage collection in this process (enabling it on first use). */
export function nodeGc(): void {
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}
