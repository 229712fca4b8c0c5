/**
 * Turns the firmware's `trace()` text into lines: text without a newline is
 * held until one arrives (xsbug's console shows trace output the same way),
 * and whatever is held when the simulator stops comes out as a last line.
 */
export class TraceLines {
  private partial = "";

  constructor(private readonly emit: (line: string) => void) {}

  /** Adds text as `trace()` wrote it. */
  push(text: string): void {
    let start = 0;
    for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
      const line = this.partial + text.slice(start, newline);
      this.partial = "";
      this.emit(line);
      start = newline + 1;
    }
    this.partial += text.slice(start);
  }

  /** Emits the held text, if any, as a line. */
  flush(): void {
    if (this.partial === "") return;
    const line = this.partial;
    this.partial = "";
    this.emit(line);
  }
}
