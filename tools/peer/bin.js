#!/usr/bin/env node
// Executable shim for the package `bin`: registers tsx so the TypeScript CLI
// runs directly on Node, then hands over to cli.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
