/** Globals of the xsnap worker (docs/platform-notes.md §9) that the simulator's XS side uses. */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare function gc(): void;
declare function print(...values: unknown[]): void;
/** Runs `callback` once the promise job queue is empty (docs/platform-notes.md §9, "Jobs"). */
declare function setImmediate(callback: () => void): void;

declare class TextEncoder {
  encode(text: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(bytes: ArrayBuffer | ArrayBufferView): string;
}

/** XS extension: a new ArrayBuffer holding this buffer's bytes followed by the others'. */
interface ArrayBuffer {
  concat(...buffers: ArrayBuffer[]): ArrayBuffer;
}
