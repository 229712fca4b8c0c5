// Programmatic API of impnet-peer (for the hardware-in-loop suite and tools).
// Each run* function resolves to the same document `--json` prints.

export { runEcho, ECHO_DEFAULTS, type EchoOptions } from "./echo.ts";
export { runFlood, FLOOD_DEFAULTS, type FloodOptions } from "./flood.ts";
export { runBroadcast, BROADCAST_DEFAULTS, type BroadcastOptions } from "./broadcast.ts";
export { runSink, type SinkOptions } from "./sink.ts";
export { startRawEcho, type RawEchoOptions, type RawEchoServer, type RawEchoStats } from "./raw-echo.ts";
export { formatSummary } from "./format.ts";
export { renderHtml } from "./html.ts";
export { reportSchema, validateAgainstSchema } from "./schema.ts";
export {
  allowedRange,
  assertAllowedDestination,
  isAllowedDestination,
  parseTarget,
  TargetRefusedError,
  UsageError,
  type Endpoint,
} from "./address.ts";
export { decodeProbe, encodeProbe, HEADER_SIZE, MAX_SIZE, MIN_SIZE, PATTERNS, patternId, probeIntact, type Pattern } from "./probe.ts";
export type { CommonSendOptions, ProgressInfo } from "./common.ts";
export { ManualClock, realClock, type CancelTimer, type Clock } from "./clock.ts";
export * from "./types.ts";
