/**
 * impnet's port on Moddable: the `Platform` that runs on the ESP32, in
 * Moddable's `lin` simulator and, unchanged, inside the XS simulator (over
 * its emulation of the same Moddable modules).
 */
import Time from "time";
import Timer from "timer";
import type { LinkDriver, LinkSettings } from "./link";
import type { TimeModule, TimerModule } from "./platform";
import {
  HostError,
  type InterfaceDescriptor,
  type Link,
  type LinkConfig,
  type LinkListener,
  type Platform,
  type Task,
  type TimerHandle,
} from "impnet/port";

const Clock: TimeModule = Time;
const Timers: TimerModule = Timer;

/** One interface of a Moddable host: its name, how to drive it, and what the platform cannot tell. */
export interface InterfacePlan {
  name: string;
  driver: LinkDriver;
  settings: LinkSettings;
}

export class ModdablePlatform implements Platform {
  /** `Time.ticks` when the host was made (ticks count from boot on ESP32, from 1970 on `lin`). */
  private readonly startTicks = Clock.ticks;
  /** `Time.microseconds` then, where the platform has it (ESP32, with the microseconds module). */
  private readonly startMicros = Clock.microseconds;

  constructor(private readonly plan: readonly InterfacePlan[]) {}

  interfaces(): readonly InterfaceDescriptor[] {
    const list: InterfaceDescriptor[] = [];
    for (const item of this.plan) {
      const macaddress = item.driver.macaddress();
      list.push(macaddress === undefined ? { name: item.name, kind: item.driver.kind } : { name: item.name, kind: item.driver.kind, macaddress });
    }
    return list;
  }

  openLink(config: LinkConfig, listener: LinkListener): Link {
    for (const item of this.plan) {
      if (item.name === config.name) return item.driver.open(config, listener, item.settings);
    }
    throw new HostError("unavailable", `no driver for ${config.name}`);
  }

  now(): number {
    return Clock.ticks - this.startTicks;
  }

  micros(): number {
    const now = Clock.microseconds;
    const start = this.startMicros;
    return now === undefined || start === undefined ? this.now() * 1000 : now - start;
  }

  defer(task: Task): void {
    Timers.set(() => task.run());
  }

  schedule(task: Task, delayMs: number): TimerHandle {
    return Timers.set(() => task.run(), delayMs) as TimerHandle;
  }

  cancel(handle: TimerHandle): void {
    Timers.clear(handle);
  }
}
