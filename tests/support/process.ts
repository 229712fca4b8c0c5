/** Helpers for tests that run impnet's commands as real processes. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { HANG_GUARD_MS } from "./wait";

/** Resolves with everything printed so far once `pattern` shows up on stdout or stderr; rejects after `ms` (a hang guard). */
export function waitOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, ms = HANG_GUARD_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${pattern}; got:\n${seen}`));
    }, ms);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve(seen);
      }
    };
    const onClose = (code: number | null): void => {
      cleanup();
      reject(new Error(`process exited (${code}) before ${pattern}; got:\n${seen}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stderr.off("data", onData);
      child.off("close", onClose);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", onClose);
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects what `child` prints until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command to completion, feeding `input` on stdin. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? HANG_GUARD_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
