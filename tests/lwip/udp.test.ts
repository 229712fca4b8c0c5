/**
 * The ESP32 backend's lwIP part (modules/impnet/native/lwip) against real
 * lwIP: Debian's liblwip 2.1.3 with its unix port, driven over TAP devices
 * from PCs in network namespaces (tap-lan.ts, docs/native-lwip.md §3).
 *
 * Ordering without sleeps: lwIP reads a TAP's frames in order and handles
 * them in order in its one thread, so once a "marker" datagram sent after
 * some others has reached the marker socket, lwIP has handled the others.
 */
import test from "ava";
import { fnv1a, pattern } from "../../tools/rig/lwip/pattern";
import { inNamespace, LWIP_MAC, lwipUnavailable, startTapLan, type AgentClient, type TapLan, type TapSide } from "../../tools/rig/lwip/tap-lan";

const reason = lwipUnavailable();
const tag = `impnet-lw${process.pid}`;
/** Harness sockets 0 and 1: the markers of the eth0 and wl0 LANs. */
const MARKER = { eth0: 0, wl0: 1 };
const MARKER_PORT = 4999;

const expect = (length: number, seed: number): string => fnv1a(pattern(length, seed));

if (reason !== null) {
  test.skip(`lwIP over TAP (skipped: ${reason})`, () => {});
} else {
  let lan: TapLan;
  let markerSeed = 1000;
  let baseline: Record<string, number>;

  /** Resolves once lwIP has handled everything `side`'s PC sent before. */
  async function settled(side: TapSide): Promise<void> {
    const seed = markerSeed++;
    await side.agent.send("marker", side.lwip, MARKER_PORT, 3, seed);
    const marker = await lan.harness.received(MARKER[side.name], `the ${side.name} marker`);
    if (marker.fnv !== expect(3, seed)) throw new Error(`marker ${seed} came out of order: ${JSON.stringify(marker)}`);
  }

  async function open(n: number, iface: string, port: number, limit = 64): Promise<void> {
    const answer = await lan.harness.request(`open ${n} ${iface} ${port} ${limit}`);
    if (answer[0] !== "opened") throw new Error(`open ${n} ${iface} ${port}: ${answer.join(" ")}`);
  }

  /** Opens harness socket `n` on eth0 unread (`hold`), and binds the eth0 PC's socket `pcSocket` to send to it. */
  async function heldOnEth0(n: number, port: number, pcSocket: string): Promise<AgentClient> {
    await open(n, "eth0", port);
    await lan.harness.request(`hold ${n}`);
    await lan.eth0.agent.bind(pcSocket);
    return lan.eth0.agent;
  }

  test.before(async () => {
    lan = await startTapLan(tag);
    baseline = await lan.harness.stats();
    await open(MARKER.eth0, "eth0", MARKER_PORT);
    await open(MARKER.wl0, "wl0", MARKER_PORT);
    for (const side of [lan.eth0, lan.wl0]) {
      await side.agent.bind("marker");
      await settled(side); // also resolves ARP both ways
    }
  });
  test.after.always(() => lan?.remove());

  test.serial("bind: one port per interface; in use on the same interface; no network without an address", async (t) => {
    t.deepEqual(await lan.harness.request("open 10 eth0 5001 64"), ["opened", "10", "5001"]);
    t.deepEqual(await lan.harness.request("open 11 wl0 5001 64"), ["opened", "11", "5001"], "the same port on the other interface");
    t.deepEqual(await lan.harness.request("open 12 eth0 5001 64"), ["open-failed", "12", "in-use"]);
    t.deepEqual(await lan.harness.request("open 13 nonesuch 5002 64"), ["open-failed", "13", "no-network"], "a netif index that does not exist");
    await lan.harness.request("address wl0 0.0.0.0");
    t.deepEqual(await lan.harness.request("open 13 wl0 5002 64"), ["open-failed", "13", "no-network"], "an interface without an IPv4 address");
    await lan.harness.request(`address wl0 ${lan.wl0.lwip}`);
    await lan.harness.request("close 10");
    t.deepEqual(await lan.harness.request("open 12 eth0 5001 64"), ["opened", "12", "5001"], "free again after close");
    await lan.harness.request("close 11");
    await lan.harness.request("close 12");
  });

  test.serial("bind: Moddable's stock UDP (IP_ADDR_ANY) and a native socket cannot share a port", async (t) => {
    t.deepEqual(await lan.harness.request("stock 5003"), ["stock", "5003", "0"]);
    t.deepEqual(await lan.harness.request("open 14 eth0 5003 64"), ["open-failed", "14", "in-use"]);
    t.deepEqual(await lan.harness.request("open 14 wl0 5003 64"), ["open-failed", "14", "in-use"]);
    await lan.harness.request("unstock 5003");
    t.deepEqual(await lan.harness.request("open 14 eth0 5003 64"), ["opened", "14", "5003"]);
    t.deepEqual(await lan.harness.request("stock 5003"), ["stock", "5003", "-8"], "ERR_USE");
    await lan.harness.request("close 14");
  });

  test.serial("receive: unicast, subnet and limited broadcast arrive with the destination they were sent to", async (t) => {
    await open(20, "eth0", 5010);
    await open(21, "wl0", 5010);
    const pc = lan.eth0.agent;
    const from = await pc.bind("r");
    const cases: Array<[string, string, number]> = [
      [lan.eth0.lwip, "unicast", 100],
      [lan.eth0.broadcast, "subnet broadcast", 200],
      ["255.255.255.255", "limited broadcast", 300],
      [lan.eth0.lwip, "zero-length", 0],
    ];
    for (const [seed, [to, what, length]] of cases.entries()) {
      await pc.send("r", to, 5010, length, seed);
      const got = await lan.harness.received(20, what);
      t.deepEqual(got, { address: lan.eth0.pc, port: from, destination: to, length, fnv: expect(length, seed) }, what);
    }
    const fromWl0 = await lan.wl0.agent.bind("r");
    await lan.wl0.agent.send("r", "255.255.255.255", 5010, 10, 9);
    t.deepEqual(await lan.harness.received(21, "wl0's broadcast"), { address: lan.wl0.pc, port: fromWl0, destination: "255.255.255.255", length: 10, fnv: expect(10, 9) });
    await settled(lan.eth0);
    await settled(lan.wl0);
    t.is(lan.harness.pending(20), 0, "eth0's socket got nothing more");
    t.is(lan.harness.pending(21), 0, "wl0's socket got nothing more");
    await lan.harness.request("close 20");
    await lan.harness.request("close 21");
  });

  test.serial("receive: a socket hears nothing that arrives on the other interface", async (t) => {
    await open(30, "eth0", 5020);
    const pc = lan.wl0.agent;
    await pc.bind("x");
    const framesBefore = tapFramesToLwip("wl0");
    await pc.send("x", "255.255.255.255", 5020, 20, 1);
    // Weak host: lwIP takes a datagram for eth0's address arriving on wl0 (ip4_input tries every netif).
    inNamespace(tag, "wl0", "neigh", "replace", lan.eth0.lwip, "lladdr", LWIP_MAC.wl0, "dev", "twl0", "nud", "permanent");
    await pc.send("x", lan.eth0.lwip, 5020, 20, 2);
    await settled(lan.wl0);
    t.true(tapFramesToLwip("wl0") - framesBefore >= 3, "both datagrams and the marker went into wl0's TAP");
    // And the other way round: a datagram for wl0's address arriving on eth0 is not eth0's socket's.
    await lan.eth0.agent.bind("x");
    inNamespace(tag, "eth0", "neigh", "replace", lan.wl0.lwip, "lladdr", LWIP_MAC.eth0, "dev", "teth0", "nud", "permanent");
    await lan.eth0.agent.send("x", lan.wl0.lwip, 5020, 20, 3);
    await settled(lan.eth0);
    t.deepEqual(await lan.harness.request("drain 30"), ["drained", "30", "0"]);
    t.is(lan.harness.pending(30), 0);
    // The same socket does hear its own interface (the control).
    await lan.eth0.agent.send("x", lan.eth0.lwip, 5020, 20, 4);
    t.is((await lan.harness.received(30)).fnv, expect(20, 4));
    await lan.harness.request("close 30");
  });

  test.serial("send: from the socket's interface address and port, out of that interface only", async (t) => {
    await open(40, "eth0", 5030);
    await open(41, "wl0", 5030);
    const port = await lan.eth0.agent.bind("s");
    t.is(await lan.wl0.agent.bind("s", port), port, "the same port on the wl0 LAN");
    const send = async (n: number, to: string, length: number, seed: number): Promise<void> => {
      t.deepEqual(await lan.harness.request(`send ${n} ${to} ${port} ${length} ${seed}`), ["sent", String(n)]);
    };
    await send(40, lan.eth0.pc, 200, 1);
    t.deepEqual(await lan.eth0.agent.received("s"), { address: lan.eth0.lwip, port: 5030, destination: "", length: 200, fnv: expect(200, 1) });
    await send(41, lan.wl0.pc, 300, 2);
    t.deepEqual(await lan.wl0.agent.received("s"), { address: lan.wl0.lwip, port: 5030, destination: "", length: 300, fnv: expect(300, 2) });
    await send(40, "255.255.255.255", 50, 3);
    t.deepEqual(await lan.eth0.agent.received("s", "eth0's limited broadcast"), { address: lan.eth0.lwip, port: 5030, destination: "", length: 50, fnv: expect(50, 3) });
    await send(40, lan.eth0.broadcast, 60, 4);
    t.deepEqual(await lan.eth0.agent.received("s", "eth0's subnet broadcast"), { address: lan.eth0.lwip, port: 5030, destination: "", length: 60, fnv: expect(60, 4) });
    await send(40, lan.eth0.pc, 0, 5);
    t.is((await lan.eth0.agent.received("s", "a zero-length datagram")).length, 0);
    // After eth0's broadcasts, the first thing wl0's PC hears on that port is wl0's own datagram.
    await send(41, lan.wl0.pc, 1, 6);
    t.is((await lan.wl0.agent.received("s")).fnv, expect(1, 6), "eth0's broadcasts did not go out on wl0");
    await lan.harness.request("close 41");
  });

  test.serial("send: no network without an address or a route; the socket follows a new address", async (t) => {
    // wl0 has no gateway: lwIP has no route off its /24 (ERR_RTE).
    await open(41, "wl0", 5030);
    t.deepEqual((await lan.harness.request("send 41 192.168.200.1 9 10 1")).slice(0, 3), ["send-failed", "41", "no-network"]);
    t.deepEqual((await lan.harness.request(`send 40 ${lan.eth0.pc} 9 65508 1`)).slice(0, 3), ["send-failed", "40", "too-long"]);
    await lan.harness.request("address eth0 0.0.0.0");
    t.deepEqual((await lan.harness.request(`send 40 ${lan.eth0.pc} 9 10 1`)).slice(0, 3), ["send-failed", "40", "no-network"]);
    // A new lease: the open socket sends from the new address and hears it.
    const renumbered = `${lan.eth0.net}.3`;
    await lan.harness.request(`address eth0 ${renumbered}`);
    const port = await lan.eth0.agent.bind("n");
    t.deepEqual(await lan.harness.request(`send 40 ${lan.eth0.pc} ${port} 10 2`), ["sent", "40"]);
    t.is((await lan.eth0.agent.received("n")).address, renumbered);
    await lan.eth0.agent.send("n", renumbered, 5030, 10, 3);
    t.like(await lan.harness.received(40), { destination: renumbered, fnv: expect(10, 3) });
    await lan.harness.request(`address eth0 ${lan.eth0.lwip}`);
    await settled(lan.eth0);
    await lan.harness.request("close 40");
    await lan.harness.request("close 41");
  });

  test.serial("large datagrams: reassembled chains arrive whole up to lwIP's limit; sends are fragmented", async (t) => {
    await open(50, "eth0", 5040);
    const pc = lan.eth0.agent;
    const port = await pc.bind("big");
    // Debian's lwIP: IP_REASSEMBLY on, IP_REASS_MAX_PBUFS 10, one pbuf per frame: 10 fragments of 1480 bytes.
    for (const [seed, length] of [1473, 2960, 9000, 14792].entries()) {
      await pc.send("big", lan.eth0.lwip, 5040, length, seed);
      t.like(await lan.harness.received(50, `${length} bytes`), { length, fnv: expect(length, seed) }, `${length} bytes`);
    }
    await pc.send("big", lan.eth0.lwip, 5040, 14793, 10); // 11 fragments: more than lwIP keeps
    await settled(lan.eth0);
    t.is(lan.harness.pending(50), 0, "14793 bytes: dropped by lwIP's reassembly");
    t.is((await lan.harness.stats())["memp.REASSDATA"], 1, "its fragments wait for the reassembly timeout");
    await pc.send("big", lan.eth0.lwip, 5040, 3000, 11); // needs pbufs: lwIP drops the stale reassembly
    t.like(await lan.harness.received(50), { length: 3000, fnv: expect(3000, 11) });
    for (const [seed, length] of [1472, 1473, 8000, 65507].entries()) {
      t.deepEqual(await lan.harness.request(`send 50 ${lan.eth0.pc} ${port} ${length} ${seed}`), ["sent", "50"]);
      t.like(await pc.received("big", `${length} bytes from lwIP`), { address: lan.eth0.lwip, port: 5040, length, fnv: expect(length, seed) });
    }
    await lan.harness.request("close 50");
    const stats = await lan.harness.stats();
    t.like(stats, { "memp.REASSDATA": 0, "memp.PBUF_POOL": 0, "memp.PBUF": 0, "memp.FRAG_PBUF": 0 }, "no fragment or pbuf left");
  });

  test.serial("readable: told once, again only after a read emptied the queue; FIFO", async (t) => {
    const pc = await heldOnEth0(60, 5050, "q");
    await pc.burst("q", lan.eth0.lwip, 5050, 5, 32, 0);
    await settled(lan.eth0);
    t.like(await lan.harness.queue(60), { queued: 5, notified: 1 });
    await pc.burst("q", lan.eth0.lwip, 5050, 3, 32, 5);
    await settled(lan.eth0);
    t.like(await lan.harness.queue(60), { queued: 8, notified: 1 }, "no second notification while datagrams wait");
    const drained = lan.harness.request("drain 60");
    const order: string[] = [];
    for (let i = 0; i < 8; i++) order.push((await lan.harness.received(60)).fnv);
    t.deepEqual(await drained, ["drained", "60", "8"]);
    t.deepEqual(order, Array.from({ length: 8 }, (_, seed) => expect(32, seed)), "oldest first");
    await pc.send("q", lan.eth0.lwip, 5050, 32, 8);
    await settled(lan.eth0);
    t.like(await lan.harness.queue(60), { queued: 1, notified: 2 });
    await lan.harness.request("close 60");
  });

  test.serial("close: queued datagrams and the pcb are freed, datagrams sent just before it leave, the port opens again", async (t) => {
    const pc = await heldOnEth0(70, 5060, "c");
    await pc.burst("c", lan.eth0.lwip, 5060, 10, 500, 0);
    await settled(lan.eth0);
    const before = await lan.harness.stats();
    t.like(await lan.harness.queue(70), { queued: 10 });
    await lan.harness.request("close 70");
    const after = await lan.harness.stats();
    t.is(after.datagrams, before.datagrams! - 10, "the 10 queued datagrams were freed");
    t.is(after.udp_pcbs, before.udp_pcbs! - 1);
    t.is(after["memp.UDP_PCB"], before["memp.UDP_PCB"]! - 1);
    await open(70, "eth0", 5060);
    await pc.send("c", lan.eth0.lwip, 5060, 7, 99);
    t.like(await lan.harness.received(70), { length: 7, fnv: expect(7, 99) }, "the new socket gets only new datagrams");
    // Sends just before close: each was handed to lwIP before send returned.
    const port = await pc.bind("d");
    for (let seed = 0; seed < 3; seed++) await lan.harness.request(`send 70 ${lan.eth0.pc} ${port} 100 ${seed}`);
    await lan.harness.request("close 70");
    for (let seed = 0; seed < 3; seed++) t.is((await pc.received("d")).fnv, expect(100, seed), `datagram ${seed} sent before close`);
  });

  test.serial("flood: the queue keeps 64, drops the rest and counts them; nothing leaks", async (t) => {
    const start = await lan.harness.stats();
    const pc = await heldOnEth0(80, 5070, "f");
    const batches = 10;
    const batch = 100; // lwIP's unix mailbox holds 128 messages: a batch never overflows it
    for (let b = 0; b < batches; b++) {
      await pc.burst("f", lan.eth0.lwip, 5070, batch, 64, b * batch);
      await settled(lan.eth0);
    }
    const queue = await lan.harness.queue(80);
    const during = await lan.harness.stats();
    t.log(`flood: ${batches * batch} sent, ${queue.queued} queued, ${queue.dropped} dropped, ${during.input_refused! - start.input_refused!} refused by lwIP's mailbox`);
    t.is(during.input_refused, start.input_refused, "lwIP took every frame");
    t.like(queue, { queued: 64, dropped: batches * batch - 64, notified: 1 });
    t.is(during.datagrams! - start.datagrams!, 64, "64 datagram buffers held");
    const drained = lan.harness.request("drain 80");
    const kept: string[] = [];
    for (let i = 0; i < 64; i++) kept.push((await lan.harness.received(80)).fnv);
    await drained;
    t.deepEqual(kept, Array.from({ length: 64 }, (_, seed) => expect(64, seed)), "the first 64 were kept, in order");
    await lan.harness.request("close 80");
    const end = await lan.harness.stats();
    t.deepEqual(end, start, "sockets, buffers, pcbs, lwIP's pools and heap blocks as before the flood");
  });

  test.serial("echo: every datagram goes back from the socket's address and port", async (t) => {
    await open(90, "eth0", 5080);
    await lan.harness.request("echo 90");
    const pc = lan.eth0.agent;
    await pc.bind("e");
    const batch = 50; // in flight at once: well inside lwIP's 128-message mailbox
    const batches = 4;
    const echoes = new Set<string>();
    for (let b = 0; b < batches; b++) {
      await pc.burst("e", lan.eth0.lwip, 5080, batch, 64, b * batch);
      for (let i = 0; i < batch; i++) {
        const got = await pc.received("e", `echo ${b * batch + i + 1} of ${batch * batches}`);
        t.is(`${got.address}:${got.port}`, `${lan.eth0.lwip}:5080`);
        echoes.add(got.fnv);
      }
    }
    t.deepEqual([...echoes].sort(), Array.from({ length: batch * batches }, (_, seed) => expect(64, seed)).sort());
    t.like(await lan.harness.queue(90), { echoed: batch * batches });
    await lan.harness.request("close 90");
  });

  test.serial("after every case: no socket, buffer, pcb, pbuf or heap block left", async (t) => {
    await lan.harness.request(`close ${MARKER.eth0}`);
    await lan.harness.request(`close ${MARKER.wl0}`);
    const end = await lan.harness.stats();
    t.deepEqual(end, baseline);
  });
}

/** Frames the PC's side of `side`'s TAP handed to lwIP so far (its TX counter). */
function tapFramesToLwip(side: "eth0" | "wl0"): number {
  const [link] = JSON.parse(inNamespace(tag, side, "-s", "-j", "link", "show", side === "eth0" ? "teth0" : "twl0")) as Array<{ stats64: { tx: { packets: number } } }>;
  return link!.stats64.tx.packets;
}
