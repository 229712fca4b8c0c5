/**
 * The C library's printf as a reference for Squirrel's `format()` (which
 * hands every conversion to it): a small C program, compiled with the
 * system's C compiler into a temporary directory on first use, formats one
 * value per line read from stdin.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
/* Each line: FORMAT \t i|d|s \t VALUE (int32 decimal | 16 hex digits of a double's bits | text). */
int main(void) {
  char line[4096], out[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char *format = strtok(line, "\t"), *type = strtok(NULL, "\t"), *value = strtok(NULL, "\t");
    if (!value) value = "";
    if (type[0] == 'i') snprintf(out, sizeof out, format, (int)strtoll(value, NULL, 10));
    else if (type[0] == 's') snprintf(out, sizeof out, format, value);
    else { uint64_t bits = strtoull(value, NULL, 16); double d; memcpy(&d, &bits, 8); snprintf(out, sizeof out, format, d); }
    printf("%s\n", out);
  }
  return 0;
}
`;

/** One call: a format with one conversion and its argument. */
export type PrintfCase = { format: string; int: number } | { format: string; double: number } | { format: string; text: string };

let program: string | null | undefined;
let unavailable = "";

/** Why the reference cannot run here, or null when it can. */
export function printfUnavailable(): string | null {
  if (program === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "impnet-printf-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "printf.c"), SOURCE);
    program = join(dir, "printf");
    try {
      execFileSync("cc", ["-o", program, join(dir, "printf.c")], { stdio: "pipe" });
    } catch (error) {
      unavailable = `no C compiler (cc) to build the printf reference: ${(error as Error).message.split("\n")[0]}`;
      program = null;
    }
  }
  return program === null ? unavailable : null;
}

/** What C's snprintf makes of each case. */
export function cPrintf(cases: readonly PrintfCase[]): string[] {
  const reason = printfUnavailable();
  if (reason !== null) throw new Error(reason);
  const bits = new DataView(new ArrayBuffer(8));
  const input = cases
    .map((c) => {
      if ("int" in c) return `${c.format}\ti\t${c.int}`;
      if ("text" in c) return `${c.format}\ts\t${c.text}`;
      bits.setFloat64(0, c.double);
      return `${c.format}\td\t${bits.getBigUint64(0).toString(16).padStart(16, "0")}`;
    })
    .join("\n");
  const result = spawnSync(program as string, { input: `${input}\n`, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`printf reference failed: ${result.stderr}`);
  return result.stdout.split("\n").slice(0, cases.length);
}
