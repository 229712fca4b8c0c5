/**
 * Promise jobs in the XS simulator run after every host event, as on
 * Moddable (docs/compatibility.md §6, "Promise jobs"): a reaction queued by a
 * timer, a receive callback, a link event or an agent message runs without
 * waiting for some later event to wake the engine. (The order of two timers'
 * reactions is checked on the wire by tests/hil/fidelity.test.ts, against
 * the simulator and mcsim alike.)
 */
import test from "ava";
import { runApp, UdpClient, uniqueLoopback } from "../support/sim";

test("the issue's minimal app: a reaction queued inside a 0 ms timer set from a promise job runs", async (t) => {
  const run = await runApp("tests/sim/apps/promise-minimal.js", { startAtOnce: true });
  try {
    await run.waitFor(/^reaction ran$/);
    t.deepEqual(run.traces, ["timer ran", "reaction ran"]);
    t.deepEqual(run.crashes, []);
  } finally {
    await run.sim.stop();
  }
});

test("async chains bounce between promises and timers to the end, from start-up, a link event, a datagram and an agent message", async (t) => {
  // The app binds port 1234 of its own: on an address no other run uses.
  const address = uniqueLoopback();
  const run = await runApp("tests/sim/apps/async-chains.ts", { interfaces: [{ name: "eth0", address }], startAtOnce: true });
  const client = await UdpClient.open();
  try {
    await run.waitFor(/^start done after 25 rounds$/);
    await run.waitFor(/^start-delayed done after 5 rounds$/);
    await run.waitFor(/^listening$/);
    t.deepEqual(
      run.logs.filter((line) => line.startsWith("state ")),
      ["state 0 after await", "state 200 after await", "state 201 after await", "state 1 after await"],
    );
    await client.send("ping", 1234, address);
    await client.waitReplies(1);
    t.is(client.replies[0].data.toString(), "async:ping");
    run.sim.agent("bounce", 10);
    await run.waitFor(/^agent done after 10 rounds$/);
    t.deepEqual(run.crashes, []);
  } finally {
    client.close();
    await run.sim.stop();
  }
});
