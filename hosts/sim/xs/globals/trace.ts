/**
 * Moddable's `trace()` (xs/sources/xsGlobal.c `fx_trace`): writes each
 * argument converted with ToString, with no separator and no newline added,
 * to the debug console. In the simulator the text goes to the supervisor,
 * which prints one line per "\n" on stdout (trace-lines.ts), the way xsbug's
 * console and a release build's stdout show it.
 *
 * `trace.left`, `trace.center`, `trace.right` (xsbug's bubbles, `fx_trace_aux`):
 * a release build prints a string message as one line, `CONVERSATION: MESSAGE`
 * when a conversation is given, and ignores binary messages; so does this.
 *
 * `print()` is not a Moddable global. The simulator keeps it as a debugging
 * aid with the semantics of the `print` that Moddable's own test apps define
 * (tools/test262/main.js): arguments joined by spaces, then a newline, on the
 * same channel as `trace` (docs/compatibility.md §5).
 */
import { defineMethod, replaceMethod } from "./define";

export type TraceSink = (text: string) => void;

function bubble(sink: TraceSink, message: unknown, conversation: unknown, argumentCount: number): void {
  if (typeof message === "object" && message !== null && (message instanceof ArrayBuffer || ArrayBuffer.isView(message))) return;
  const text = `${message as string}`;
  sink(argumentCount > 1 ? `${conversation as string}: ${text}\n` : `${text}\n`);
}

/** Installs `trace` and `print` writing to `sink`. */
export function installTrace(sink: TraceSink): void {
  const global = globalThis as Record<string, unknown>;
  // Named function expressions: `trace.name` is "trace" and `trace.length` 1, as in XS.
  const trace = function trace(_message?: unknown): void {
    for (let i = 0; i < arguments.length; i++) sink(`${arguments[i] as string}`);
  };
  const left = function left(_message: unknown): void {
    bubble(sink, arguments[0], arguments[1], arguments.length);
  };
  const center = function center(_message: unknown): void {
    bubble(sink, arguments[0], arguments[1], arguments.length);
  };
  const right = function right(_message: unknown): void {
    bubble(sink, arguments[0], arguments[1], arguments.length);
  };
  defineMethod(trace, "left", left);
  defineMethod(trace, "center", center);
  defineMethod(trace, "right", right);
  replaceMethod(global, "trace", trace);
  const print = function print(..._values: unknown[]): void {
    let text = "";
    for (let i = 0; i < arguments.length; i++) text += i === 0 ? `${arguments[i] as string}` : ` ${arguments[i] as string}`;
    sink(`${text}\n`);
  };
  replaceMethod(global, "print", print);
}
