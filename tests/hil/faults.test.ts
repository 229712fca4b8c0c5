/**
 * Hardware-in-loop, simulator only: the link goes down and comes back in
 * the middle of a paced echo stream; the echo must recover, and the time it
 * takes is reported. Every phase waits on what the simulator and the app
 * report, so a busy machine makes the run slower, never different.
 */
import test from "ava";
import { UdpClient } from "../support/sim";
import { until } from "../support/wait";
import { metrics, openTarget, type HilTarget } from "./target";

const device = process.env.IMPNET_DEVICE;

if (device !== undefined && device !== "") {
  test.skip(`link down/up mid-stream (skipped: link faults need the simulator's control channel; IMPNET_DEVICE=${device} is set)`, () => {});
} else {
  let target: HilTarget;

  test.before(async () => {
    target = await openTarget("127.0.0.5");
  });

  test.after.always(async () => {
    await target?.stop();
  });

  test.serial("link down/up mid-stream: no crash, echo recovers; recovery time reported", async (t) => {
    const sim = target.sim!;
    let stopped = false;
    void sim.stopped.then(() => (stopped = true));
    const client = await UdpClient.open();
    const replies: { seq: number; at: number }[] = [];
    client.socket.on("message", (data) => replies.push({ seq: data.readUInt32BE(0), at: performance.now() }));
    const payload = Buffer.alloc(64);
    let seq = 0;
    // The stream: one probe every 2 ms (500/s) for as long as the phases below take.
    const stream = setInterval(() => {
      payload.writeUInt32BE(seq++, 0);
      client.socket.send(payload, target.port, target.address);
    }, 2);
    try {
      await until(() => replies.length >= 100, "100 echoes before the fault");
      const repliesBeforeDown = replies.length;
      const mark = target.lines.length;
      const downAt = performance.now();
      sim.control("link eth0 down");
      await until(() => target.lines.slice(mark).some((line) => /echo: Ethernet stopped \(state 204\)/.test(line)), "the app to see the link go down");
      // The stream goes on meanwhile; what is sent from now until the link is back is never echoed.
      const seqDown = seq;
      await until(() => seq >= seqDown + 20, "20 probes sent while the link is down");
      const seqAtUp = seq;
      const upAt = performance.now();
      sim.control("link eth0 up");
      await until(() => replies.filter((reply) => reply.seq >= seqAtUp).length >= 100, "100 echoes of probes sent after the link came back");
      const firstAfterUp = replies.find((reply) => reply.seq >= seqAtUp)!;
      t.log(
        metrics({
          sent: seq,
          replies: replies.length,
          repliesBeforeDown,
          outageMs: upAt - downAt,
          recoveryMs: firstAfterUp.at - upAt,
          droppedLinkDown: sim.stats.droppedLinkDown,
        }),
      );
      t.deepEqual(
        replies.filter((reply) => reply.seq >= seqDown && reply.seq < seqAtUp),
        [],
        "no echo of a probe sent while the link was down",
      );
      t.false(stopped, "the simulator is still running");
    } finally {
      clearInterval(stream);
      client.close();
    }
  });
}
