/**
 * Test app for the simulator suite: the Squirrel globals inside XS —
 * format(), swap2/swap4/swapfloat, hardware.millis()/micros(), time(), and
 * imp.wakeup()/imp.cancelwakeup() on the Moddable port's timers.
 */
import { imp, server, hardware, format, swap2, swap4, swapfloat, time } from "impnet";

server.log(format("format %s:%d|%5.2f|%-4x|%c|%e|%g|%%", "10.0.0.1", 1234, 3.14159, 255, 65, 12345.678, 0.0001));
server.log(format("swap 0x%X 0x%X %d %g", swap2(0x1a2b3c4d), swap4(0x1a2b3c4d), swap4(0xff), swapfloat(swapfloat(-2.5))));
server.log(`time ${time()}`);
try {
  format("%d", "not a number");
} catch (error) {
  server.log(`format error ${(error as Error).name}: ${(error as Error).message}`);
}

const startMs = hardware.millis();
const startUs = hardware.micros();
const cancelled = imp.wakeup(0.05, () => server.log("the cancelled timer fired"));
imp.cancelwakeup(cancelled!);
imp.wakeup(0.2, () => {
  server.log(`late ${hardware.millis() - startMs} ${hardware.micros() - startUs}`);
  server.log("done");
});
imp.wakeup(0.1, () => {
  throw new Error("timer failure on purpose");
});
imp.wakeup(0.05, () => server.log(`early ${hardware.millis() - startMs}`));
