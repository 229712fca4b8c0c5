/**
 * Bundle entry for tests that look at what `import ... from "impnet"` gives
 * an app: re-exports the whole public module (load it with `loadApp`).
 */
export * from "impnet";
