/**
 * server.log / server.error and agent.send / agent.on: the host's LogSink
 * and AgentTransport (the fake LAN's LogRecorder and FakeAgent).
 */
import test from "ava";
import { createRuntime } from "../../modules/impnet/core/runtime";
import { fakeWorld } from "../support/fake/network";
import { SEND_ERROR_NOT_CONNECTED } from "../../modules/impnet/core/constants";
import { blobOf, newDevice } from "../support/device";

// ---------------------------------------------------------------- server

test("server.log and server.error reach the host's log sink and return 0", (t) => {
  const { server, world } = newDevice();
  t.is(server.log("hello"), 0);
  t.is(server.error("oops"), 0);
  t.deepEqual(world.log.lines, ["hello"]);
  t.deepEqual(world.log.errors, ["oops"]);
});

test("server.log formats non-strings", (t) => {
  const { server, world } = newDevice();
  const values: [unknown, string][] = [
    [42, "42"],
    [1.5, "1.5"],
    [true, "true"],
    [null, "(null)"],
    [undefined, "(null)"],
    [{ a: 1, b: "x" }, '{"a":1,"b":"x"}'],
    [[1, "two"], '[1,"two"]'],
    [new Error("bad thing"), "Error: bad thing"],
    [new RangeError("out"), "RangeError: out"],
    [blobOf("abc"), "(blob : 3 bytes)"],
  ];
  for (const [value] of values) server.log(value);
  t.deepEqual(world.log.lines, values.map(([, text]) => text));
});

test("server.error formats non-strings the same way", (t) => {
  const { server, world } = newDevice();
  server.error(404);
  server.error(new TypeError("nope"));
  server.error({ code: 2 });
  t.deepEqual(world.log.errors, ["404", "TypeError: nope", '{"code":2}']);
});

test("server.log of a cyclic object does not throw", (t) => {
  const { server, world } = newDevice();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.is(server.log(cyclic), 0);
  t.is(world.log.lines.length, 1);
});

test("without a host log sink, server.log/error go to the engine's trace()", (t) => {
  const world = fakeWorld();
  const runtime = createRuntime({ platform: world.device });
  const g = globalThis as { trace?: (text: string) => void };
  const traced: string[] = [];
  const previous = g.trace;
  g.trace = (text) => traced.push(text);
  try {
    runtime.server.log("plain");
    runtime.server.error("bad");
  } finally {
    if (previous === undefined) delete g.trace;
    else g.trace = previous;
  }
  t.deepEqual(traced, ["plain\n", "ERROR: bad\n"]);
});

// ---------------------------------------------------------------- agent.send

test("agent.send reaches the FakeAgent and returns 0", (t) => {
  const { agent, world } = newDevice();
  t.is(agent.send("reading", { temp: 21.5 }), 0);
  t.is(agent.send("ping"), 0);
  t.deepEqual(world.agent.received, [
    { name: "reading", data: { temp: 21.5 } },
    { name: "ping", data: undefined },
  ]);
});

test("agent.send returns the transport's error code when the channel is down", (t) => {
  const { agent, world } = newDevice();
  world.agent.connected = false;
  t.is(agent.send("x", 1), SEND_ERROR_NOT_CONNECTED);
  t.deepEqual(world.agent.received, []);
});

test("agent.send returns 1 (SEND_ERROR_NOT_CONNECTED) when the host has no agent transport", (t) => {
  const world = fakeWorld();
  const runtime = createRuntime({ platform: world.device, log: world.log });
  t.is(runtime.agent.send("x", 1), 1);
  t.notThrows(() => runtime.agent.on("x", () => {}));
});

test("agent.send rejects a name that is not a string", (t) => {
  const { agent, world } = newDevice();
  for (const name of [1, null, undefined, {}]) {
    t.throws(() => agent.send(name as never, 1), { instanceOf: TypeError, message: /^agent\.send: name must be a string, not / });
  }
  t.deepEqual(world.agent.received, []);
});

// ---------------------------------------------------------------- agent.on

test("agent.on handlers get messages posted by the agent, asynchronously", (t) => {
  const { agent, world } = newDevice();
  const got: unknown[] = [];
  agent.on("cmd", (data) => got.push(data));
  world.agent.post("cmd", { on: true });
  world.agent.post("cmd", "second");
  t.deepEqual(got, []);
  world.lan.clock.flush();
  t.deepEqual(got, [{ on: true }, "second"]);
});

test("agent messages without a handler are dropped; each name has its own handler", (t) => {
  const { agent, world } = newDevice();
  const a: unknown[] = [];
  const b: unknown[] = [];
  agent.on("a", (d) => a.push(d));
  agent.on("b", (d) => b.push(d));
  world.agent.post("a", 1);
  world.agent.post("nobody", 2);
  world.agent.post("b", 3);
  world.lan.clock.flush();
  t.deepEqual(a, [1]);
  t.deepEqual(b, [3]);
});

test("agent.on replaces the handler for a name, and null removes it", (t) => {
  const { agent, world } = newDevice();
  const first: unknown[] = [];
  const second: unknown[] = [];
  agent.on("x", (d) => first.push(d));
  agent.on("x", (d) => second.push(d));
  world.agent.post("x", 1);
  world.lan.clock.flush();
  agent.on("x", null);
  world.agent.post("x", 2);
  world.lan.clock.flush();
  t.deepEqual(first, []);
  t.deepEqual(second, [1]);
});

test("agent.on rejects a bad name or handler and keeps the old handler", (t) => {
  const { agent, world } = newDevice();
  const got: unknown[] = [];
  agent.on("x", (d) => got.push(d));
  t.throws(() => agent.on(1 as never, () => {}), { instanceOf: TypeError, message: /^agent\.on: name must be a string, not 1$/ });
  t.throws(() => agent.on("x", "handler" as never), { instanceOf: TypeError, message: /^agent\.on: handler must be a function or null, not "handler"$/ });
  world.agent.post("x", "still");
  world.lan.clock.flush();
  t.deepEqual(got, ["still"]);
});

test("a throwing agent.on handler is reported through server.error and later messages are still handled", (t) => {
  const { agent, world } = newDevice();
  let calls = 0;
  agent.on("x", () => {
    calls++;
    throw new Error("agent boom");
  });
  world.agent.post("x", 1);
  world.agent.post("x", 2);
  world.lan.clock.flush();
  t.is(calls, 2);
  t.is(world.log.errors.length, 2);
  t.regex(world.log.errors[0], /^agent\.on\("x"\) handler threw: Error: agent boom/);
});

test("imp.onunhandledexception receives an agent handler's error", (t) => {
  const { agent, imp, world } = newDevice();
  const caught: unknown[] = [];
  imp.onunhandledexception((e) => caught.push(e));
  const boom = new Error("agent boom");
  agent.on("x", () => {
    throw boom;
  });
  world.agent.post("x", 1);
  world.lan.clock.flush();
  t.deepEqual(caught, [boom]);
  t.deepEqual(world.log.errors, []);
});

// ---------------------------------------------------------------- host wiring

test("createRuntime with a host factory calls it once, on first use, and applies its options", (t) => {
  const world = fakeWorld(undefined, { rateLimit: true });
  let made = 0;
  const runtime = createRuntime(() => {
    made++;
    return world.host;
  });
  t.is(made, 0, "not at construction (Moddable preloads modules)");
  runtime.server.log("first use");
  t.is(made, 1);
  runtime.imp.net.open({ interface: "eth0" });
  runtime.agent.send("x");
  t.is(made, 1);
  t.not(runtime.limiter, null, "rateLimit option applied");
  t.deepEqual(world.log.lines, ["first use"]);
});

test("the agent transport is connected once, on the first agent.on", (t) => {
  const world = fakeWorld();
  let listens = 0;
  const listen = world.agent.listen.bind(world.agent);
  world.agent.listen = (inbox) => {
    listens++;
    listen(inbox);
  };
  const runtime = createRuntime(world.host);
  runtime.agent.send("no listen yet");
  t.is(listens, 0);
  runtime.agent.on("a", () => {});
  runtime.agent.on("b", () => {});
  runtime.agent.on("a", null);
  t.is(listens, 1);
});
