#!/usr/bin/env node
// impnet-sim: runs the TypeScript CLI through tsx (installed with impnet).
import { register } from "tsx/esm/api";

register();
await import("./cli.ts");
