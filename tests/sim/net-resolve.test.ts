/**
 * Net.resolve in the XS simulator (issue 16, item 3): with no DNS in the
 * emulation a name fails the way ESP32's modResolve.c reports it,
 * callback(name, undefined), on a later turn, so an app's promise around it
 * settles instead of staying pending; localhost and addresses answer as lwIP
 * answers them. The answer comes from a board timer, so this also depends on
 * promise jobs draining after every host event (issue 16 item 1).
 */
import test from "ava";
import { runApp } from "../support/sim";

test("a promise around Net.resolve settles: pool.ntp.org fails, localhost and an address resolve", async (t) => {
  const run = await runApp("tests/sim/apps/net-resolve.js");
  try {
    await run.waitFor(/^resolve done$/);
    t.deepEqual(run.traces, ["failed: pool.ntp.org did not resolve", "resolved localhost 127.0.0.1", "resolved 10.0.0.7 10.0.0.7", "resolve done"]);
    t.deepEqual(run.crashes, []);
  } finally {
    await run.sim.stop();
  }
});
