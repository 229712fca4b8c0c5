/**
 * Hardware-in-loop, simulator only: the link goes down and comes back in
 * the middle of a paced echo stream; the echo must recover, and the time it
 * takes is reported.
 */
import test from "ava";
import { UdpClient } from "../support/sim";
import { metrics, openTarget, type HilTarget } from "./target";

let target: HilTarget;

test.before(async () => {
  target = await openTarget("127.0.0.5");
});

test.after.always(async () => {
  await target?.stop();
});

test.serial("link down/up mid-stream: no crash, echo recovers; recovery time reported", async (t) => {
  const sim = target.sim;
  if (sim === undefined) {
    t.log("skipped: link faults need the simulator (IMPNET_DEVICE is set)");
    t.pass();
    return;
  }
  const client = await UdpClient.open();
  const sentAt = new Map<number, number>();
  const repliedAt: number[] = [];
  client.socket.on("message", (data) => {
    const seq = data.readUInt32BE(0);
    if (sentAt.has(seq)) repliedAt.push(performance.now());
  });
  const payload = Buffer.alloc(64);
  let seq = 0;
  const interval = 2; // 500 packets/s
  const start = performance.now();
  let downAt = 0;
  let upAt = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      payload.writeUInt32BE(seq, 0);
      sentAt.set(seq, now);
      client.socket.send(payload, target.port, target.address);
      seq++;
      if (downAt === 0 && now - start >= 1000) {
        downAt = now;
        sim.control("link eth0 down");
      }
      if (downAt !== 0 && upAt === 0 && now - downAt >= 300) {
        upAt = now;
        sim.control("link eth0 up");
      }
      if (now - start >= 3000) {
        clearInterval(timer);
        resolve();
      }
    }, interval);
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  client.close();
  const beforeDown = repliedAt.filter((time) => time < downAt).length;
  const firstAfterUp = repliedAt.find((time) => time > upAt);
  t.log(
    metrics({
      sent: seq,
      replies: repliedAt.length,
      lost: seq - repliedAt.length,
      repliesBeforeDown: beforeDown,
      outageMs: upAt - downAt,
      recoveryMs: firstAfterUp === undefined ? NaN : firstAfterUp - upAt,
      droppedLinkDown: sim.stats.droppedLinkDown,
    }),
  );
  t.true(beforeDown > 0, "echo worked before the fault");
  t.not(firstAfterUp, undefined, "echo works again after the link came back");
  t.true(repliedAt.filter((time) => time > upAt).length > 100, "and keeps working");
  const exited = await Promise.race([sim.stopped.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))]);
  t.false(exited, "the simulator is still running");
});
