/**
 * Drives the XS engine built by `@agoric/xsnap` (`xsnap-worker`) over its
 * pipe protocol (docs/platform-notes.md §7), without the package's JS API, so the
 * Node process is not put under SES lockdown.
 *
 * fd 3 carries netstring commands to the worker, fd 4 its replies and its
 * synchronous `issueCommand` requests, fd 1 `print` output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** The meter the worker reports with every reply. */
export interface Meter {
  /** Computrons spent by the command (deterministic). */
  compute: number;
  /** Live XS slots when the reply was sent (includes uncollected garbage unless the command ran gc()). */
  currentHeapCount: number;
  /** Total heap reserved by the machine (grows in steps, never shrinks). */
  allocate: number;
}

export interface Reply {
  meter: Meter;
  bytes: Buffer;
}

/** A command the engine refused: it threw, and the worker survives. */
export class XsError extends Error {}

/** Why the worker exited, by exit code (docs/platform-notes.md §7.4). */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  switch (code) {
    case 0:
      return "exited normally";
    case 1:
      return "bad command line";
    case 2:
      return "pipe or protocol error";
    case 11:
      return "XS heap grew over 2 GiB";
    case 12:
      return "stack overflow (about 390 frames deep)";
    case 15:
      return "an exception was still pending";
    case 16:
      return "XS keys exhausted";
    case 17:
      return "a callback ran past the computron limit (endless loop?)";
    case 255:
      return "an exception escaped a setImmediate callback";
    default:
      return `exit code ${code}`;
  }
}

/** Where the release (or debug) `xsnap-worker` binary is. */
export function xsnapWorkerPath(build: "release" | "debug" = "release"): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("@agoric/xsnap/package.json"));
  const platform = process.platform === "darwin" ? "mac" : "lin";
  const path = join(root, "xsnap-native", "xsnap", "build", "bin", platform, build, "xsnap-worker");
  if (!existsSync(path)) {
    throw new Error(`xsnap-worker not found at ${path}: run "npm install" (it builds the XS engine)`);
  }
  return path;
}

export interface EngineOptions {
  /** Label shown by `ps`. */
  name?: string;
  /** Computron limit per command (0: none). Past it the worker exits with code 17. */
  meterLimit?: number;
  build?: "release" | "debug";
  /** Answers the worker's synchronous `issueCommand` requests. */
  onRequest?: (request: Buffer) => Buffer | Promise<Buffer>;
  /** `print` output. */
  onPrint?: (chunk: Buffer) => void;
  /** Worker diagnostics (fd 2). */
  onStderr?: (chunk: Buffer) => void;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

const COMMA = Buffer.from(",");

/** One xsnap worker process. Commands run one at a time, in order. */
export class XsEngine {
  private readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private received = 0;
  /** Total bytes of the frame being read (header to trailing comma), or -1 before its header is in. */
  private expected = -1;
  private bodyStart = 0;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves when the worker has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; reason: string }>;

  constructor(private readonly options: EngineOptions = {}) {
    const args = [options.name ?? "impnet-sim"];
    if (options.meterLimit !== undefined && options.meterLimit > 0) args.push("-l", String(Math.floor(options.meterLimit)));
    this.child = spawn(xsnapWorkerPath(options.build), args, {
      stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"],
    });
    this.toWorker = this.child.stdio[3] as Writable;
    const fromWorker = this.child.stdio[4] as Readable;
    fromWorker.on("data", (chunk: Buffer) => this.receive(chunk));
    this.toWorker.on("error", () => {
      // EPIPE after the worker died; the exit handler reports it.
    });
    (this.child.stdout as Readable).on("data", (chunk: Buffer) => options.onPrint?.(chunk));
    (this.child.stderr as Readable).on("data", (chunk: Buffer) => options.onStderr?.(chunk));
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        const reason = exitReason(code, signal);
        const failure = new Error(`XS engine ${reason}`);
        while (this.pending.length > 0) this.pending.shift()?.reject(failure);
        resolve({ code, signal, reason });
      });
    });
  }

  /** Whether the worker is still running. */
  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** `e`: evaluates JavaScript source in the worker's global scope. */
  evaluate(source: string): Promise<Reply> {
    return this.send(Buffer.from(`e${source}`));
  }

  /** `s`: runs a script file (its `//# sourceMappingURL` gives TS line numbers in stacks). */
  script(path: string): Promise<Reply> {
    return this.send(Buffer.from(`s${path}`));
  }

  /** `?`: calls `globalThis.handleCommand(ArrayBuffer)` with `body`. */
  command(body: Uint8Array): Promise<Reply> {
    return this.send(Buffer.from("?"), body);
  }

  /**
   * `?` with a command already framed as a netstring (`LENGTH:?BODY,`), so a
   * batch goes to the pipe in one write.
   */
  commandFrame(frame: Uint8Array): Promise<Reply> {
    if (!this.alive) return Promise.reject(new Error(`XS engine ${exitReason(this.exitInfo?.code ?? null, this.exitInfo?.signal ?? null)}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.toWorker.write(frame);
    });
  }

  /** `q`, then waits for the exit. */
  async close(): Promise<number | null> {
    if (this.alive) this.write(Buffer.from("q"));
    const { code } = await this.exited;
    return code;
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }

  private send(head: Buffer, body?: Uint8Array): Promise<Reply> {
    if (!this.alive) return Promise.reject(new Error(`XS engine ${exitReason(this.exitInfo?.code ?? null, this.exitInfo?.signal ?? null)}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.write(head, body);
    });
  }

  private write(head: Buffer, body?: Uint8Array): void {
    const length = head.byteLength + (body?.byteLength ?? 0);
    const out = this.toWorker;
    out.cork();
    out.write(`${length}:`);
    out.write(head);
    if (body !== undefined && body.byteLength > 0) out.write(body);
    out.write(COMMA);
    out.uncork();
  }

  private receive(chunk: Buffer): void {
    // Large replies arrive in many pipe-sized chunks: collect them and join once per frame.
    this.chunks.push(chunk);
    this.received += chunk.byteLength;
    for (;;) {
      if (this.expected < 0) {
        const head = this.join();
        const colon = head.indexOf(0x3a);
        if (colon < 0) return;
        this.expected = colon + 1 + Number(head.subarray(0, colon).toString("latin1")) + 1;
        this.bodyStart = colon + 1;
      }
      if (this.received < this.expected) return;
      const all = this.join();
      const frame = all.subarray(this.bodyStart, this.expected - 1);
      const rest = all.subarray(this.expected);
      this.chunks = rest.byteLength > 0 ? [rest] : [];
      this.received = rest.byteLength;
      this.expected = -1;
      this.frame(frame);
      if (this.received === 0) return;
    }
  }

  private join(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.received)];
    return this.chunks[0];
  }

  private frame(frame: Buffer): void {
    const kind = frame[0];
    if (kind === 0x3f /* ? */) {
      void this.answer(frame.subarray(1));
      return;
    }
    const waiting = this.pending.shift();
    if (waiting === undefined) return;
    if (kind === 0x2e /* . */) {
      const separator = frame.indexOf(1);
      if (separator < 0) {
        waiting.resolve({ meter: { compute: 0, currentHeapCount: 0, allocate: 0 }, bytes: Buffer.alloc(0) });
        return;
      }
      const meter = JSON.parse(frame.subarray(1, separator).toString("utf8")) as Meter;
      waiting.resolve({ meter, bytes: frame.subarray(separator + 1) });
    } else {
      waiting.reject(new XsError(frame.subarray(1).toString("utf8")));
    }
  }

  private async answer(request: Buffer): Promise<void> {
    let answer: Buffer;
    try {
      const handler = this.options.onRequest;
      answer = handler === undefined ? Buffer.alloc(0) : await handler(Buffer.from(request));
    } catch {
      answer = Buffer.alloc(0);
    }
    if (this.alive) this.write(Buffer.from("/"), answer);
  }
}
