#!/usr/bin/env node
// impnet: `impnet init [DIR]`, a new app (tools/init/cli.ts), run through tsx (installed with impnet).
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = main(process.argv.slice(2));
