import os from "node:os";
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
