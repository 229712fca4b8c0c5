/**
 * Shared helpers for unit tests of the core against the in-memory fake
 * network (tests/support/fake/network.ts). Time only moves through the
 * fake LAN's virtual clock.
 */
import { createRuntime, type Runtime } from "../../modules/impnet/core/runtime";
import { NetState } from "../../modules/impnet/core/constants";
import { Blob } from "../../modules/impnet/core/blob";
import { decodeText, encodeText } from "../../modules/impnet/core/text";
import type { NetInterface } from "../../modules/impnet/core/interface";
import type { RateLimiter } from "../../modules/impnet/core/rate-limiter";
import type { Nic } from "../../modules/impnet/core/nic";
import type { UdpSocket, ReceiveCallback } from "../../modules/impnet/core/udpsocket";
import type { HostOptions } from "../../modules/impnet/port";
import { fakeWorld, type FakeInterfaceOptions, type FakeWorld } from "./fake/network";

/** A fresh fake world and a device (runtime) on it. */
export interface Device {
  world: FakeWorld;
  runtime: Runtime;
  imp: Runtime["imp"];
  server: Runtime["server"];
  agent: Runtime["agent"];
}

/** A device whose interface is open; `states` records every state callback value. */
export interface OpenDevice extends Device {
  iface: NetInterface;
  states: number[];
}

export interface DeviceOptions {
  /** Fake interfaces (default: eth0 Ethernet + wl0 WiFi, see `fakeWorld`). */
  interfaces?: FakeInterfaceOptions[];
  /** Host options (rate limiter). */
  options?: HostOptions;
}

/** A new device on a new fake LAN. Nothing is opened yet. */
export function newDevice(options: DeviceOptions = {}): Device {
  const world = fakeWorld(options.interfaces, options.options);
  const runtime = createRuntime(world.host);
  return { world, runtime, imp: runtime.imp, server: runtime.server, agent: runtime.agent };
}

/** Opens `nic` (default eth0) with a recording state callback; does not move the clock. */
export function openDevice(nic: Nic = { interface: "eth0" }, options: DeviceOptions = {}): OpenDevice {
  const device = newDevice(options);
  const states: number[] = [];
  const iface = device.imp.net.open(nic, (state) => {
    states.push(state);
  });
  return { ...device, iface, states };
}

/** Upper bound on the virtual time a fake link needs to come up. */
const BRING_UP_LIMIT_MS = 10_000;

/** Advances the virtual clock in 1 ms steps until `iface` is CONNECTED (fails after 10 s). */
export function waitConnected(world: FakeWorld, iface: NetInterface): void {
  for (let t = 0; t <= BRING_UP_LIMIT_MS; t++) {
    world.lan.clock.flush();
    if (iface.getstate() === NetState.CONNECTED) return;
    world.lan.clock.advance(1);
  }
  throw new Error(`interface did not reach CONNECTED within ${BRING_UP_LIMIT_MS} virtual ms (state ${iface.getstate()})`);
}

/** A device with `nic` (default eth0) opened and brought up to CONNECTED on the virtual clock. */
export function connectedDevice(nic: Nic = { interface: "eth0" }, options: DeviceOptions = {}): OpenDevice {
  const device = openDevice(nic, options);
  waitConnected(device.world, device.iface);
  device.world.lan.clock.flush();
  return device;
}

/** One datagram as the receive callback saw it. */
export interface Received {
  fromAddress: string;
  fromPort: number;
  toAddress: string;
  toPort: number;
  data: Blob;
  /** `data.tell()` at the time of the call. */
  pointer: number;
  /** The bytes, decoded, at the time of the call. */
  text: string;
}

/** A receive callback that records its calls. */
export function recorder(): { calls: Received[]; callback: ReceiveCallback } {
  const calls: Received[] = [];
  return {
    calls,
    callback(fromAddress, fromPort, toAddress, toPort, data) {
      calls.push({ fromAddress, fromPort, toAddress, toPort, data, pointer: data.tell(), text: data.tostring() });
    },
  };
}

/** Lets datagrams in flight arrive (the fake LAN's latency is 1 virtual ms). */
export function deliver(world: FakeWorld, ms = 5): void {
  world.lan.clock.advance(ms);
}

/** A blob holding `text`'s bytes, pointer at 0. */
export function blobOf(text: string): Blob {
  return Blob.from(encodeText(text));
}

/** Bytes as text. */
export function textOf(bytes: Uint8Array): string {
  return decodeText(bytes, 0, bytes.length);
}

/** Runs `fn` with `Math.random` returning `values` in turn (the last one repeats), then restores it. */
export function withRandom<T>(values: number[], fn: () => T): T {
  const original = Math.random;
  let i = 0;
  Math.random = () => values[Math.min(i++, values.length - 1)];
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/**
 * The socket's local port (0 while unbound). Tests read the private field
 * (a typed element access, so a rename fails the type-check) rather than
 * keep a test-only method on the production class.
 */
export function portOf(socket: UdpSocket): number {
  return socket["port"];
}

/** Tokens left in the device's rate limiter, or null when it is off. */
export function tokens(runtime: Runtime): number | null {
  return runtime.limiter === null ? null : limiterTokens(runtime.limiter);
}

/** Tokens left in `limiter` (fractional), read from its private field like {@link portOf}. */
export function limiterTokens(limiter: RateLimiter): number {
  return limiter["tokens"];
}

export { NetState };
