/**
 * Receiving between states, inside XS with real UDP on loopback
 * (docs/compatibility.md §2): a datagram that reaches the device while its
 * interface is not CONNECTED (here: link up, DHCP still running) is not
 * delivered, although the socket stays open; once CONNECTED, delivery
 * resumes. The rule is the core's, so every host drops alike.
 */
import test from "ava";
import { runApp, UdpClient, freePort } from "../support/sim";
import { until } from "../support/wait";

test("a datagram arriving while eth0 is DHCPING is dropped; after CONNECTED the same socket receives again", async (t) => {
  const port = await freePort();
  const run = await runApp("tests/sim/apps/steady.ts", { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(new RegExp(`^open ${port}$`));
    await client.send("connected", port);
    await run.waitFor(/^rx connected /);
    // Link down, then up with a DHCP that does not finish: the interface stays in ETHERNET_DHCPING.
    run.sim.control(`dhcp eth0 delay 600000`);
    const mark = run.logs.length;
    run.sim.control("link eth0 down");
    await run.waitFor(/^state 204$/, undefined, mark);
    run.sim.control("link eth0 up");
    await run.waitFor(/^state 201$/, undefined, mark);
    const before = run.sim.stats.packetsIn;
    await client.send("during dhcp", port);
    // The supervisor took it (the link is up) and handed it to XS in the next command.
    await until(() => run.sim.stats.packetsIn > before, "the datagram reached the simulator");
    await run.sim.heap();
    // DHCP completes: CONNECTED, and the socket (never closed) receives again.
    run.sim.control("link eth0 down");
    run.sim.control("dhcp eth0 delay 0");
    run.sim.control("link eth0 up");
    await run.waitFor(/^state 1$/, undefined, mark);
    await client.send("after", port);
    await run.waitFor(/^rx after /);
    const received = run.logs.filter((line) => line.startsWith("rx ")).map((line) => line.split(" from ")[0]);
    t.deepEqual(received, ["rx connected", "rx after"], "nothing was delivered while DHCPING");
    t.true(run.logs.includes(`rx after from 127.0.0.1:${client.port} in state 1`));
    t.is(run.sim.stats.droppedLinkDown, 0, "the supervisor passed the datagram on: the core dropped it");
    t.deepEqual(run.crashes, []);
  } finally {
    client.close();
    await run.sim.stop();
  }
});
