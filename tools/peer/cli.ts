// impnet-peer command line. `main(argv)` resolves to the process exit code.

import { writeFileSync } from "node:fs";
import { formatEndpoint, TargetRefusedError, UsageError } from "./address.ts";
import { HELP, parseArgs, USAGE, type ParsedArgs } from "./args.ts";
import { runBroadcast } from "./broadcast.ts";
import { describeError, sleep, type ProgressInfo } from "./common.ts";
import { runEcho } from "./echo.ts";
import { runFlood } from "./flood.ts";
import { formatProgress, formatSummary } from "./format.ts";
import { renderHtml } from "./html.ts";
import { startRawEcho } from "./raw-echo.ts";
import { runSink } from "./sink.ts";
import type { PeerReport } from "./types.ts";

const PROG = "impnet-peer";

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ");
}

export async function main(argv: readonly string[]): Promise<number> {
  // A closed stdout (e.g. piped into `head`) is not worth a stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
  });
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError || err instanceof TargetRefusedError) {
      process.stderr.write(`${PROG}: error: ${oneLine(err.message)}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }

  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    ac.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const tty = process.stderr.isTTY === true;
  let progressShown = false;
  const onProgress = tty
    ? (p: ProgressInfo) => {
        progressShown = true;
        process.stderr.write(`\r\x1b[K${formatProgress(p)}`);
      }
    : undefined;
  const clearProgress = () => {
    if (progressShown) process.stderr.write("\r\x1b[K");
    progressShown = false;
  };

  try {
    if (args.mode === "serve-echo") return await serveEcho(args, ac.signal);
    const common = {
      count: args.count,
      durationMs: args.durationMs,
      timeoutMs: args.timeoutMs,
      signal: ac.signal,
      onProgress,
    };
    const send = {
      ...common,
      target: args.target!,
      size: args.sizes,
      rate: args.rate,
      pattern: args.pattern,
      bind: args.bind,
    };
    let doc: PeerReport;
    switch (args.mode) {
      case "echo":
        doc = await runEcho({ ...send, window: args.window });
        break;
      case "flood":
        doc = await runFlood(send);
        break;
      case "broadcast":
        doc = await runBroadcast(send);
        break;
      case "sink":
        doc = await runSink({
          ...common,
          listen: args.listen!,
          onListening: (ep) => {
            if (tty) process.stderr.write(`listening on ${formatEndpoint(ep)}\n`);
          },
        });
        break;
      default:
        throw new Error(`unhandled mode ${String(args.mode)}`);
    }
    clearProgress();
    if (args.report) writeFileSync(args.report, renderHtml(doc));
    if (args.json) process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    else {
      process.stdout.write(formatSummary(doc));
      if (args.report) process.stdout.write(`report written to ${args.report}\n`);
    }
    return 0;
  } catch (err) {
    clearProgress();
    if (err instanceof UsageError || err instanceof TargetRefusedError) {
      process.stderr.write(`${PROG}: error: ${oneLine(err.message)}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`${PROG}: error: ${oneLine(describeError(err))}\n`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function serveEcho(args: ParsedArgs, signal: AbortSignal): Promise<number> {
  const server = await startRawEcho({ listen: args.listen! });
  process.stdout.write(`serve-echo listening on ${server.address}:${server.port}\n`);
  const t0 = Date.now();
  while (!signal.aborted) {
    if (args.durationMs !== undefined && Date.now() - t0 >= args.durationMs) break;
    if (args.count !== undefined && server.stats.received >= args.count) break;
    await sleep(20);
  }
  await sleep(5); // let the last echoes complete
  await server.close();
  const s = server.stats;
  if (args.json) {
    process.stdout.write(
      JSON.stringify({ mode: "serve-echo", listen: `${server.address}:${server.port}`, ...s, elapsedMs: Date.now() - t0 }, null, 2) + "\n",
    );
  } else {
    process.stdout.write(`serve-echo: echoed ${s.echoed} of ${s.received} datagrams (${s.refused} refused, ${s.sendErrors} send errors)\n`);
  }
  return 0;
}
