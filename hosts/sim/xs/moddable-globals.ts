/**
 * Moddable's global environment in the simulator's firmware: what the XS in
 * Moddable SDK 8.2.3 (XS 17) has and xsnap's older XS (13.3) lacks, compared
 * name by name (tools/xs-environment; tests/sim/environment.test.ts), and
 * `trace` routed to the supervisor. Imported by the firmware entry before
 * anything else runs, so the app sees the device's environment.
 */
import { bridge } from "./bridge";
import { installTrace } from "./globals/trace";

installTrace((text) => bridge().trace(text));
