/**
 * Checks bad-input matrix results (matrix-exec.ts) against the table
 * (matrix-table.ts): the documented outcome, and the device state left as
 * it was. Shared by matrix.test.ts and the soak runner.
 */
import { expectationFor, expectedMessage, type MatrixWhere, type Row } from "./matrix-table";
import type { RowResult, Snapshot } from "./matrix-exec";

export interface Tally {
  checked: number;
  skipped: number;
  skipReasons: Map<string, number>;
  failures: string[];
  /** Rows that returned 0 from send (one datagram each). */
  sent: number;
  /** Of those, sent to the fixture socket on the device's own address. */
  toFixture: number;
}

export function isSelfToFixture(row: Row): boolean {
  const [address, port] = row.args;
  const self = typeof address === "object" && address !== null && !Array.isArray(address) && address.$ === "self";
  const fixture = typeof port === "object" && port !== null && !Array.isArray(port) && port.$ === "fixture-port";
  return self && fixture;
}

/** Compares one phase's results with the table, for an interface at `where`. */
export function check(rows: readonly Row[], results: readonly RowResult[], where: MatrixWhere, tally: Tally): void {
  if (results.length !== rows.length) {
    tally.failures.push(`${results.length} results for ${rows.length} rows`);
    return;
  }
  rows.forEach((row, i) => {
    const result = results[i];
    const fail = (what: string): void => {
      tally.failures.push(`${row.id}: ${what}`);
    };
    if (result.id !== row.id) return fail(`result is for ${result.id}`);
    if (result.skipped !== undefined) {
      tally.skipped++;
      tally.skipReasons.set(result.skipped, (tally.skipReasons.get(result.skipped) ?? 0) + 1);
      return;
    }
    tally.checked++;
    const table = expectationFor(row, where.onLoopback);
    const expect = table.message === undefined ? table : { ...table, message: expectedMessage(table.message, row, where) };
    const outcome = result.outcome;
    if (outcome === undefined) return fail("no outcome");
    if (expect.throws !== undefined) {
      if (!("threw" in outcome)) return fail(`returned ${JSON.stringify(outcome.returned)}, expected ${expect.throws}: ${expect.message}`);
      if (outcome.threw !== expect.throws || outcome.message !== expect.message) {
        return fail(`threw ${outcome.threw}: ${outcome.message}\n      expected ${expect.throws}: ${expect.message}`);
      }
    } else {
      if (!("returned" in outcome)) return fail(`threw ${outcome.threw}: ${outcome.message}, expected to return ${JSON.stringify(expect.returns)}`);
      if (JSON.stringify(outcome.returned) !== JSON.stringify(expect.returns)) {
        return fail(`returned ${JSON.stringify(outcome.returned)}, expected ${JSON.stringify(expect.returns)}`);
      }
    }
    // State: unchanged, except that a datagram handed to the network spends one rate token.
    const wanted: Snapshot = structuredClone(result.before as Snapshot);
    const sentOne = row.target.startsWith("sock") && row.method === "send" && "returned" in outcome && outcome.returned === 0;
    if (sentOne) {
      tally.sent++;
      if (isSelfToFixture(row)) tally.toFixture++;
      if (wanted.tokens !== null) wanted.tokens -= 1;
    }
    if (JSON.stringify(result.after) !== JSON.stringify(wanted)) {
      fail(`state changed: before ${JSON.stringify(result.before)}\n      after  ${JSON.stringify(result.after)}\n      wanted ${JSON.stringify(wanted)}`);
    }
    if (row.probe !== undefined && result.probe !== row.probe.free) {
      fail(`port ${row.probe.port} ${row.probe.free ? "is no longer free" : "was taken from its owner"}`);
    }
    if (row.blobAfter !== undefined) {
      if (JSON.stringify(result.blobAfter) !== JSON.stringify(row.blobAfter)) fail(`blob ${JSON.stringify(result.blobAfter)}, expected ${JSON.stringify(row.blobAfter)}`);
    } else if (result.blobBefore !== undefined && JSON.stringify(result.blobAfter) !== JSON.stringify(result.blobBefore)) {
      fail(`blob changed: ${JSON.stringify(result.blobBefore)} → ${JSON.stringify(result.blobAfter)}`);
    }
  });
}

export function newTally(): Tally {
  return { checked: 0, skipped: 0, skipReasons: new Map(), failures: [], sent: 0, toFixture: 0 };
}
