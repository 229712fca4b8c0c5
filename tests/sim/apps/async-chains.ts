/**
 * Test app for promise jobs in the simulator (docs/compatibility.md §6,
 * "Promise jobs"): async/await chains that bounce between promises and
 * timers, started from every kind of host event (start-up, a timer, a
 * received datagram, a link event, an agent message).
 */
import Timer from "timer";
import { imp, server, agent, type Blob, type UdpSocket } from "impnet";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    Timer.set(() => resolve(), ms);
  });
}

/** Awaits a 0 ms timer, then a resolved promise, `rounds` times; each round also awaits a timer of `ms`. */
async function bounce(label: string, rounds: number, ms: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await sleep(0);
    await Promise.resolve();
    if (ms > 0) await sleep(ms);
  }
  server.log(`${label} done after ${rounds} rounds`);
}

// From start-up: 0 ms timers only, and with real delays in between.
void bounce("start", 25, 0);
void bounce("start-delayed", 5, 3);

let sock: UdpSocket | null = null;
const iface = imp.net.open({ interface: "eth0" }, async (state) => {
  // A state callback that awaits before acting.
  await sleep(0);
  await Promise.resolve();
  server.log(`state ${state} after await`);
  if (state === imp.net.CONNECTED && sock === null) {
    sock = iface.openudp(async (from: string, fromPort: number, _to: string, _toPort: number, data: Blob) => {
      // Reply only after bouncing through promises and timers: nothing else wakes the engine.
      const text = data.tostring();
      await Promise.resolve();
      await sleep(0);
      await sleep(0);
      await null;
      (sock as UdpSocket).send(from, fromPort, `async:${text}`);
    }, 1234);
    server.log("listening");
  }
});

agent.on("bounce", async (rounds) => {
  await bounce("agent", rounds as number, 0);
});
