// JSON Schema (draft 2020-12 subset) of the report document printed by
// `--json` and returned by the run* functions, plus a small validator for the
// keywords used here (type, const, enum, minimum, properties, required,
// additionalProperties, items, minItems, maxItems, oneOf, $ref to $defs).

import { SCHEMA_ID } from "./types.ts";

type S = Record<string, unknown>;

const num = { type: "number" };
const nonNeg = { type: "number", minimum: 0 };
const count = { type: "integer", minimum: 0 };
const str = { type: "string" };

function obj(props: Record<string, unknown>, extra: S = {}): S {
  return { type: "object", properties: props, required: Object.keys(props), additionalProperties: false, ...extra };
}

const series = { type: "array", items: count };

export const reportSchema: S = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: SCHEMA_ID,
  title: "impnet-peer report",
  $defs: {
    percentiles: {
      type: ["object", "null"],
      properties: { samples: count, min: nonNeg, mean: nonNeg, p50: nonNeg, p90: nonNeg, p99: nonNeg, p999: nonNeg, max: nonNeg },
      required: ["samples", "min", "mean", "p50", "p90", "p99", "p999", "max"],
      additionalProperties: false,
    },
    histogram: { type: "array", items: { type: "array", items: nonNeg, minItems: 3, maxItems: 3 } },
    timeline: obj({ binMs: { type: "number", minimum: 1 }, series: { type: "object", additionalProperties: series } }),
    errors: obj({ send: count, receive: count, last: { type: ["string", "null"] } }),
    lossBursts: obj({
      count,
      max: count,
      mean: nonNeg,
      lengths: { type: "array", items: { type: "array", items: count, minItems: 2, maxItems: 2 } },
    }),
    echoResult: obj({
      size: count,
      sent: count,
      received: count,
      lost: count,
      lossRatio: { type: "number", minimum: 0, maximum: 1 },
      duplicated: count,
      reordered: count,
      corrupted: count,
      late: count,
      invalid: count,
      lossBursts: { $ref: "#/$defs/lossBursts" },
      rttMs: { $ref: "#/$defs/percentiles" },
      durationMs: nonNeg,
      sentPps: nonNeg,
      receivedPps: nonNeg,
      sentBitsPerSec: nonNeg,
      goodputBitsPerSec: nonNeg,
      errors: { $ref: "#/$defs/errors" },
      rttHistogram: { $ref: "#/$defs/histogram" },
      timeline: { $ref: "#/$defs/timeline" },
    }),
    floodResult: obj({
      size: count,
      sent: count,
      bytes: count,
      durationMs: nonNeg,
      sentPps: nonNeg,
      sentBitsPerSec: nonNeg,
      errors: { $ref: "#/$defs/errors" },
      replies: obj({ packets: count, bytes: count }),
      timeline: { $ref: "#/$defs/timeline" },
    }),
    broadcastResult: obj({
      size: count,
      sent: count,
      replies: count,
      responders: {
        type: "array",
        items: obj({
          address: str,
          port: { type: "integer", minimum: 1, maximum: 65535 },
          replies: count,
          matched: count,
          duplicated: count,
          corrupted: count,
          rttMs: {
            type: ["object", "null"],
            properties: { min: nonNeg, mean: nonNeg, max: nonNeg },
            required: ["min", "mean", "max"],
            additionalProperties: false,
          },
        }),
      },
      rttMs: { $ref: "#/$defs/percentiles" },
      durationMs: nonNeg,
      errors: { $ref: "#/$defs/errors" },
      rttHistogram: { $ref: "#/$defs/histogram" },
    }),
    sinkResult: obj({
      packets: count,
      bytes: count,
      probes: count,
      durationMs: nonNeg,
      activeMs: nonNeg,
      pps: nonNeg,
      bitsPerSec: nonNeg,
      endReason: { enum: ["count", "duration", "idle", "aborted"] },
      sources: {
        type: "array",
        items: obj({ address: str, port: count, packets: count, bytes: count, firstMs: nonNeg, lastMs: nonNeg }),
      },
      streams: {
        type: "array",
        items: obj({
          address: str,
          port: count,
          runId: count,
          pattern: str,
          received: count,
          expected: count,
          lost: count,
          duplicated: count,
          reordered: count,
          corrupted: count,
          firstSeq: { type: "integer", minimum: -1 },
          maxSeq: { type: "integer", minimum: -1 },
          lossBursts: { $ref: "#/$defs/lossBursts" },
        }),
      },
      totals: obj({ received: count, expected: count, lost: count, duplicated: count, reordered: count, corrupted: count }),
      errors: { $ref: "#/$defs/errors" },
      timeline: { $ref: "#/$defs/timeline" },
    }),
  },
  ...obj({
    schema: { const: SCHEMA_ID },
    tool: obj({ name: { const: "impnet-peer" }, version: str }),
    mode: { enum: ["echo", "sink", "flood", "broadcast"] },
    date: str,
    finished: str,
    elapsedMs: nonNeg,
    machine: obj({ os: str, release: str, arch: str, cpuModel: str, cpus: count, node: str, hostname: str }),
    target: { type: ["string", "null"] },
    listen: { type: ["string", "null"] },
    options: obj({
      count: { type: ["integer", "null"], minimum: 1 },
      durationMs: { type: ["number", "null"], minimum: 0 },
      rate: nonNeg,
      window: { type: ["integer", "null"], minimum: 1 },
      timeoutMs: { type: ["number", "null"], minimum: 0 },
      pattern: { type: ["string", "null"] },
      sizes: { type: "array", items: count },
    }),
    aborted: { type: "boolean" },
    results: {
      type: "array",
      items: {
        oneOf: [
          { $ref: "#/$defs/echoResult" },
          { $ref: "#/$defs/floodResult" },
          { $ref: "#/$defs/broadcastResult" },
          { $ref: "#/$defs/sinkResult" },
        ],
      },
    },
  }),
};

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "boolean":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    default:
      return false;
  }
}

/** Validates `value` against `schema`; returns a list of problems (empty = valid). */
export function validateAgainstSchema(value: unknown, schema: S = reportSchema, root: S = schema, path = "$"): string[] {
  const errs: string[] = [];
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/$defs/", "");
    const def = (root.$defs as Record<string, S>)[name];
    if (!def) return [`${path}: unknown $ref ${schema.$ref}`];
    return validateAgainstSchema(value, def, root, path);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeOk(t, value))) return [`${path}: expected ${types.join("|")}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  }
  if ("const" in schema && value !== schema.const) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errs.push(`${path}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errs.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) errs.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errs.push(...validateAgainstSchema(v, schema.items as S, root, `${path}[${i}]`)));
  } else if (typeof value === "object" && value !== null) {
    const rec = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, S>;
    for (const k of (schema.required ?? []) as string[]) if (!(k in rec)) errs.push(`${path}: missing ${k}`);
    for (const [k, v] of Object.entries(rec)) {
      if (props[k]) errs.push(...validateAgainstSchema(v, props[k], root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
      else if (typeof schema.additionalProperties === "object") errs.push(...validateAgainstSchema(v, schema.additionalProperties as S, root, `${path}.${k}`));
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const matches = (schema.oneOf as S[]).filter((s) => validateAgainstSchema(value, s, root, path).length === 0).length;
    if (matches !== 1) errs.push(`${path}: matches ${matches} of oneOf (expected exactly 1)`);
  }
  return errs;
}
