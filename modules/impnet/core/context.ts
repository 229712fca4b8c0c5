import { SEND_ERROR_RATE_LIMITED } from "./constants";
import { describeError } from "./describe";
import { RateLimiter } from "./rate-limiter";
import type { Host, LogSink, Platform } from "../port";

/** Where log lines go when the host names no sink: XS `trace`, else `console`. */
const defaultLog: LogSink = {
  log(line) {
    emit(line, false);
  },
  error(line) {
    emit(line, true);
  },
};

interface EngineGlobals {
  trace?: (text: string) => void;
  console?: { log(text: string): void; error(text: string): void };
}

function emit(line: string, isError: boolean): void {
  const globals = globalThis as EngineGlobals;
  if (typeof globals.trace === "function") globals.trace(`${isError ? "ERROR: " : ""}${line}\n`);
  else if (globals.console !== undefined) {
    if (isError) globals.console.error(line);
    else globals.console.log(line);
  }
}

/** `imp.onunhandledexception()` handler. */
export type UnhandledExceptionHandler = (error: unknown) => void;

/**
 * What the impOS objects of one device share: the host, the bound ports, the
 * rate limiter and how app callbacks' errors are reported. Interfaces,
 * sockets and timers receive it; it imports none of them, so the core's
 * dependencies point one way (runtime → interface → udpsocket → context).
 *
 * Moddable preloads impnet: the module body (and so this constructor) runs at
 * build time and its objects live in flash. Plain objects stay writable
 * there, but Maps and Sets become read-only, so tables are made on first use.
 */
export class DeviceContext {
  private portTable: Set<number> | undefined;
  /** The outgoing rate limiter, or null when off. */
  limiter: RateLimiter | null = null;
  rateLimitErrorCode = SEND_ERROR_RATE_LIMITED;
  unhandled: UnhandledExceptionHandler | null = null;
  /** Datagrams read and dropped because their socket's interface was not CONNECTED (diagnostics). */
  droppedNotConnected = 0;
  private hostInstance: Host | undefined;

  constructor(private readonly hostSource: Host | (() => Host)) {}

  /** The host, created on first use (never at module load, so Moddable can preload impnet). */
  get host(): Host {
    let host = this.hostInstance;
    if (host === undefined) {
      const source = this.hostSource;
      host = typeof source === "function" ? source() : source;
      this.hostInstance = host;
      const options = host.options;
      if (options !== undefined) {
        if (options.rateLimitErrorCode !== undefined) this.rateLimitErrorCode = options.rateLimitErrorCode;
        if (options.rateLimit === true) this.setRateLimit(true);
      }
    }
    return host;
  }

  /** Local ports bound by sockets (device-wide, as lwIP binds to any address). */
  get ports(): Set<number> {
    return (this.portTable ??= new Set());
  }

  get platform(): Platform {
    return this.host.platform;
  }

  get log(): LogSink {
    return this.host.log ?? defaultLog;
  }

  setRateLimit(enabled: boolean): void {
    if (!enabled) this.limiter = null;
    else if (this.limiter === null) this.limiter = new RateLimiter(this.platform.now());
  }

  /** An app callback threw: report it and carry on (the network stack and other sockets are unaffected). */
  callbackFailed(where: string, error: unknown): void {
    const handler = this.unhandled;
    if (handler !== null) {
      try {
        handler(error);
        return;
      } catch (second) {
        this.log.error(`imp.onunhandledexception handler threw: ${describeError(second)}`);
      }
    }
    this.log.error(`${where} threw: ${describeError(error)}`);
  }
}
