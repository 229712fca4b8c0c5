/**
 * Regression guard for the receive → callback → send hot path, from the XS
 * meter (deterministic): impnet's own allocation per echoed packet must not
 * depend on the payload size and must stay within the Blob wrapper's cost.
 * Measured 2026-11-29: 5 slots per packet (the Blob object and its 4 fields)
 * above the raw ECMA-419 echo, at 16, 512 and 1400 bytes alike.
 */
import test from "ava";
import { CostRig } from "../../bench/xs-measure";
import { freePort } from "../support/sim";

/** Slots impnet may add per echoed packet over the raw echo: the Blob wrapper (5) and nothing else. */
const MAX_ADDED_SLOTS = 5;

test("impnet's added allocation per echoed packet is constant across payload sizes and within the bound", async (t) => {
  // Free ports (mc/config echo_port / port), not the apps' default 1234.
  const impnetPort = await freePort("127.0.0.6");
  const rawPort = await freePort("127.0.0.7");
  const impnet = await CostRig.start("main.ts", "127.0.0.6", [impnetPort], { echo_port: String(impnetPort) });
  const raw = await CostRig.start("bench/apps/raw-echo.ts", "127.0.0.7", [rawPort], { port: String(rawPort) });
  try {
    const added: number[] = [];
    for (const size of [16, 512, 1400]) {
      const options = { small: 100, large: 300, perNotify: 100 };
      const a = await impnet.perPacket([impnetPort], size, options);
      const b = await raw.perPacket([rawPort], size, options);
      t.log(`${size} B: impnet ${a.slots} slots, ${a.compute} computrons; raw ${b.slots} slots, ${b.compute} computrons; ratio ${(a.compute / b.compute).toFixed(3)}`);
      added.push(a.slots - b.slots);
    }
    t.true(added.every((n) => n === added[0]), `added slots per packet vary with payload: ${added.join(", ")}`);
    t.true(added[0] <= MAX_ADDED_SLOTS, `impnet adds ${added[0]} slots per packet (bound ${MAX_ADDED_SLOTS})`);
    t.true(added[0] >= 0);
  } finally {
    await impnet.stop();
    await raw.stop();
  }
});
