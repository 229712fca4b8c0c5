/**
 * Net.resolve in the XS simulator (issue 16, item 3): with no DNS in the
 * emulation a name fails the way ESP32's modResolve.c reports it,
 * callback(name, undefined), on a later turn, so an app's promise around it
 * settles instead of staying pending; localhost and addresses answer as lwIP
 * answers them.
 *
 * Known failure on this branch alone: the answer comes from a board timer, and
 * a promise reaction queued in a timer callback stalls until the next host
 * event (issue 16 item 1, fixed on the branch that drains promise jobs after
 * every host event; with it merged this passes). Then make it a plain test.
 */
import test from "ava";
import { runApp } from "../support/sim";

test.failing("a promise around Net.resolve settles: pool.ntp.org fails, localhost and an address resolve", async (t) => {
  const run = await runApp("tests/sim/apps/net-resolve.js");
  try {
    await run.waitFor(/^resolve done$/, 20_000);
    t.deepEqual(run.traces, ["failed: pool.ntp.org did not resolve", "resolved localhost 127.0.0.1", "resolved 10.0.0.7 10.0.0.7", "resolve done"]);
    t.deepEqual(run.crashes, []);
  } finally {
    await run.sim.stop();
  }
});
