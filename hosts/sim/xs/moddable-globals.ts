/**
 * Moddable's global environment in the simulator's firmware: what the XS in
 * Moddable SDK 8.2.3 (XS 17) has and xsnap's older XS (13.3) lacks, found by
 * listing both environments name by name (tools/xs-environment; the list is
 * kept in tests/sim/environment.test.ts), and `trace` routed to the
 * supervisor. Imported by the firmware entry before anything else runs, so
 * the app sees the device's environment. What is not provided, and why, is
 * in docs/compatibility.md §5.
 */
import { bridge } from "./bridge";
import { board } from "../board/board";
import { installTrace } from "./globals/trace";
import { installModdableAdditions } from "./globals/moddable";
import { installPromiseAdditions } from "./globals/promise";
import { installArrayAdditions } from "./globals/arrays";
import { installCollectionAdditions } from "./globals/collections";
import { installIterator } from "./globals/iterator";
import { installBinaryAdditions } from "./globals/binary";
import { installTextAdditions } from "./globals/text";
import { installNumberAdditions } from "./globals/numbers";
import { installErrorAdditions } from "./globals/errors";
import { installJsonAdditions } from "./globals/json";
import { installAtomicsAdditions } from "./globals/atomics";

installTrace((text) => bridge().trace(text));
installModdableAdditions();
installPromiseAdditions();
installArrayAdditions();
installCollectionAdditions();
installIterator();
installBinaryAdditions();
installTextAdditions();
installNumberAdditions();
installErrorAdditions();
installJsonAdditions();
installAtomicsAdditions({
  set: (callback, ms) => board().setTimer(callback, ms, 0),
  clear: (timer) => board().clearTimer(timer),
});
