/**
 * The test support itself (tests/support/memory-board.ts): the in-memory
 * BoardIO the other tests in this folder stand on.
 */
import test from "ava";
import Timer from "../../hosts/sim/board/timer";
import Time from "../../hosts/sim/board/time";
import UDP from "../../hosts/sim/board/udp";
import Ethernet from "../../hosts/sim/board/ethernet";
import { EPHEMERAL_START, ETH0, MemoryBoard, text } from "../support/memory-board";

test.serial("bind: port 0 takes the first free ephemeral port, skipping ports held by others; a taken port fails", (t) => {
  const mb = new MemoryBoard();
  mb.io.taken.add(EPHEMERAL_START);
  t.is(mb.io.bind(1, 0, undefined), EPHEMERAL_START + 1);
  t.is(mb.io.bind(2, 0, undefined), EPHEMERAL_START + 2);
  t.is(mb.io.bind(3, 1234, undefined), 1234);
  t.throws(() => mb.io.bind(4, 1234, undefined), { message: "bind failed" });
  t.throws(() => mb.io.bind(5, EPHEMERAL_START, undefined), { message: "bind failed" });
  mb.io.close(3);
  t.is(mb.io.bind(6, 1234, undefined), 1234);
  t.deepEqual(
    mb.io.binds.map((b) => [b.handle, b.requested, b.port]),
    [
      [1, 0, EPHEMERAL_START + 1],
      [2, 0, EPHEMERAL_START + 2],
      [3, 1234, 1234],
      [4, 1234, -1],
      [5, EPHEMERAL_START, -1],
      [6, 1234, 1234],
    ],
  );
});

test.serial("advance: steps to each due I/O event and board timer in time order, then to the end", (t) => {
  const mb = new MemoryBoard();
  const order: string[] = [];
  Timer.set(() => order.push(`timer@${Time.ticks}`), 30);
  mb.io.at(10, () => order.push(`io@${mb.now()}`));
  mb.io.at(30, () => order.push(`io@${mb.now()}`));
  Timer.set(() => order.push(`timer@${Time.ticks}`), 5);
  mb.advance(50);
  t.deepEqual(order, ["timer@5", "io@10", "io@30", "timer@30"]);
  t.is(mb.now(), 50);
});

test.serial("autoLink: startLink brings the link up (link-up, then address) after the configured delays", (t) => {
  const mb = new MemoryBoard({ autoLink: { linkUpMs: 100, addressMs: 50 } });
  const changes: string[] = [];
  const e: Ethernet = new Ethernet({ onChanged: (property) => changes.push(`${property} ${e.connection}@${mb.now()}`) });
  t.deepEqual(mb.io.started, ["eth0"]);
  mb.advance(1000);
  t.deepEqual(changes, ["connection 400@100", "connection 500@150", "address 500@150"]);
});

test.serial("autoLinks: a per-interface setting overrides autoLink (false: the test drives the link)", (t) => {
  const mb = new MemoryBoard({ autoLink: { linkUpMs: 1, addressMs: 1 } });
  mb.io.autoLinks.set("eth0", false);
  new Ethernet({});
  mb.advance(1000);
  t.false(mb.board.iface("eth0")!.linkUp);
});

test.serial("sends are recorded as copies, reach peers after the latency, and come back to own sockets on an interface address", (t) => {
  const mb = new MemoryBoard({ latency: 5 });
  new Ethernet({});
  mb.linkUp("eth0");
  const peer = mb.io.peer("192.168.1.50", 7000);
  const other = mb.io.peer("192.168.1.60", 7000);
  const u = new UDP({ port: 1234 });
  u.write(new TextEncoder().encode("to peer"), "192.168.1.50", 7000);
  u.write(new TextEncoder().encode("to all"), "192.168.1.255", 7000);
  u.write(new TextEncoder().encode("to me"), ETH0.address, 1234);
  mb.advance(4);
  t.deepEqual(peer.received, []);
  t.is(u.read(), undefined);
  mb.advance(1);
  t.deepEqual(peer.texts(), ["to peer", "to all"]);
  t.deepEqual(other.texts(), ["to all"]);
  t.deepEqual(peer.received[0], { from: ETH0.address, fromPort: 1234, to: "192.168.1.50", data: new TextEncoder().encode("to peer") });
  const back = u.read();
  t.is(text(back as ArrayBuffer), "to me");
  t.false(Object.hasOwn(back as object, "destination"), "stock Moddable: no destination");
});

test.serial("destinations: true adds the destination to packets the memory network delivers", (t) => {
  const mb = new MemoryBoard({ destinations: true });
  new Ethernet({});
  mb.linkUp("eth0");
  const u = new UDP({ port: 1234 });
  mb.io.peer("192.168.1.50", 7000).send("192.168.1.255", 1234, "b");
  mb.advance(1);
  t.is(u.read()?.destination, "192.168.1.255");
});

test.serial("nothing reaches a board interface that has no address", (t) => {
  const mb = new MemoryBoard();
  new Ethernet({});
  const u = new UDP({ port: 1234 });
  mb.io.peer("192.168.1.50", 7000).send(ETH0.address, 1234, "x");
  mb.advance(10);
  t.is(u.read(), undefined);
});
