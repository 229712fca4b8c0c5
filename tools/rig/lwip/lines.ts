/**
 * Lines from a child process, taken by the tests in the order they came:
 * `take()` resolves with the first line not taken yet that matches, now or
 * when it arrives. A wait fails when the process ends or after `ms` (a
 * guard against a hang, far above any wait under load).
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { HANG_GUARD_MS } from "../wait";

interface Waiter {
  match: (line: string) => boolean;
  what: string;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Lines {
  private readonly unread: string[] = [];
  private readonly waiters: Waiter[] = [];
  private ended: string | null = null;

  constructor(
    stream: Readable,
    private readonly label: string,
    /** What to add to an error (the process's stderr, for one). */
    private readonly context: () => string = () => "",
  ) {
    createInterface({ input: stream }).on("line", (line) => this.arrive(line));
    stream.on("end", () => this.end(`${label} ended`));
  }

  /** The first line not taken yet that `match`es, taken. */
  take(match: (line: string) => boolean, what: string, ms = HANG_GUARD_MS): Promise<string> {
    const index = this.unread.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0]!);
    if (this.ended !== null) return Promise.reject(this.failure(`${this.ended} while waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(this.failure(`${this.label}: no ${what} within ${ms} ms`));
        }, ms),
      };
      this.waiters.push(waiter);
    });
  }

  /** Lines not taken yet that match, without taking them. */
  peek(match: (line: string) => boolean): string[] {
    return this.unread.filter(match);
  }

  private arrive(line: string): void {
    const index = this.waiters.findIndex((waiter) => waiter.match(line));
    if (index < 0) {
      this.unread.push(line);
      return;
    }
    const [waiter] = this.waiters.splice(index, 1);
    clearTimeout(waiter!.timer);
    waiter!.resolve(line);
  }

  private end(reason: string): void {
    this.ended = reason;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure(`${reason} while waiting for ${waiter.what}`));
    }
  }

  private failure(message: string): Error {
    const context = this.context();
    return new Error(context === "" ? message : `${message}\n${context}`);
  }
}
