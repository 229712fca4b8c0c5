/** Short, single-line descriptions of values and errors for messages and logs. */

/** How a value appears in an error message: strings quoted, others by type. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      // JSON quoting escapes quotes and control characters, so the message stays on one line.
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      if (value === null) return "null";
      if (Array.isArray(value)) return "an array";
      return "an object";
  }
}

/** One line for a thrown value, with the stack's frames when the engine gives them. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = typeof error.stack === "string" ? error.stack : "";
    const head = `${error.name}: ${error.message}`;
    const frames = stack
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("at "));
    return frames.length > 0 ? `${head} (${frames.join("; ")})` : head;
  }
  try {
    return `uncaught ${describeValue(error)}: ${String(error)}`;
  } catch {
    return "uncaught value that cannot be converted to a string";
  }
}

/** Text for `server.log`: strings as they are, other values as Squirrel would print them, roughly. */
export function logText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "(null)";
  if (typeof value === "object") {
    // Errors and class instances with their own toString (e.g. Blob) print that, not "{}" or their fields.
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    const toString = (value as { toString?: unknown }).toString;
    if (!Array.isArray(value) && typeof toString === "function" && toString !== Object.prototype.toString) {
      try {
        return String(value);
      } catch {
        // fall through to JSON
      }
    }
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    } catch {
      // fall through: cyclic or BigInt-bearing objects print their String() form
    }
  }
  return String(value);
}
