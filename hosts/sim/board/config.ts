/** Emulated `mc/config`: the simulator's settings, as an app's manifest `config` would give them. */
import { board } from "./board";

const config: Record<string, unknown> = new Proxy(
  {},
  {
    get: (_target, key) => (typeof key === "string" ? board().config[key] : undefined),
    has: (_target, key) => typeof key === "string" && key in board().config,
    ownKeys: () => Object.keys(board().config),
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === "string" && key in board().config
        ? { value: board().config[key], enumerable: true, configurable: true, writable: false }
        : undefined,
  },
);

export default config;
