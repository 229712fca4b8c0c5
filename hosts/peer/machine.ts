import os from "node:os";
import { formatEndpoint, type Endpoint } from "./address.ts";
import type { Clock } from "./clock.ts";
import type { Mode } from "./common.ts";
import { SCHEMA_ID, TOOL_VERSION, type MachineInfo, type RunOptionsOut } from "./types.ts";

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: os.type(),
    release: os.release(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    cpus: cpus.length,
    node: process.version,
    hostname: os.hostname(),
  };
}

export function docBase(start: Date, startMs: number, endMs: number, target: string | null, listen: string | null, options: RunOptionsOut, aborted: boolean) {
  return {
    schema: SCHEMA_ID,
    tool: { name: "impnet-peer" as const, version: TOOL_VERSION },
    date: start.toISOString(),
    finished: new Date(start.getTime() + (endMs - startMs)).toISOString(),
    elapsedMs: Math.round((endMs - startMs) * 1000) / 1000,
    machine: machineInfo(),
    target,
    listen,
    options,
    aborted,
  };
}

/**
 * Runs `step` once per datagram size, stopping before the next size when
 * `signal` is aborted, and returns the report document of a sending mode.
 */
export async function runSizeSteps<M extends Mode, R>(
  mode: M,
  target: Endpoint,
  sizes: number[],
  options: RunOptionsOut,
  signal: AbortSignal | undefined,
  clock: Clock,
  step: (size: number, index: number) => Promise<R>,
) {
  const startDate = new Date();
  const now = () => clock.now();
  const start = now();
  const results: R[] = [];
  for (let i = 0; i < sizes.length; i++) {
    if (signal?.aborted) break;
    results.push(await step(sizes[i]!, i));
  }
  return {
    ...docBase(startDate, start, now(), formatEndpoint(target), null, options, signal?.aborted ?? false),
    mode,
    results,
  };
}
