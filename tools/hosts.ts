/**
 * The list of hosts, derived from the hosts/ folders: every `hosts/NAME/manifest.json`
 * is a Moddable host (hosts/sim is the simulator, a Node program, and has none). A
 * host is built for the Moddable platforms its manifest's `platforms` block names
 * (esp32-w5500: esp32 and esp32/esp32s3), or, when it names none, for the platform
 * its folder name starts with (esp32-wifi → esp32, lin → lin). The Makefile,
 * `make check-moddable`, tools/esp32/check.ts and tests/moddable/preload.test.ts
 * all read the list here, so adding a host is adding its folder.
 *
 * Usage: tsx tools/hosts.ts                 one HOST:PLATFORM per line
 *        tsx tools/hosts.ts names           host names, space-separated
 *        tsx tools/hosts.ts platform HOST   HOST's default (first) platform
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const hostsDir = join(root, "hosts");

/** One Moddable build of a host: `IMPNET_HOST=host mcconfig -p platform`. */
export interface HostBuild {
  host: string;
  platform: string;
}

/** Host names: the folders of hosts/ with a manifest.json, sorted. */
export function hostNames(): string[] {
  return readdirSync(hostsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(hostsDir, entry.name, "manifest.json")))
    .map((entry) => entry.name)
    .sort();
}

/** A host's manifest, relative to the repository root. */
export function hostManifest(host: string): string {
  return `hosts/${host}/manifest.json`;
}

/** The Moddable platforms `host` is built for; the first is its default. */
export function hostPlatforms(host: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, hostManifest(host)), "utf8")) as { platforms?: Record<string, unknown> };
  const named = Object.keys(manifest.platforms ?? {}).filter((platform) => platform !== "...");
  return named.length > 0 ? named : [host.split("-")[0]];
}

/** Every host on every platform it is built for. */
export function hostBuilds(): HostBuild[] {
  return hostNames().flatMap((host) => hostPlatforms(host).map((platform) => ({ host, platform })));
}

function main(args: string[]): number {
  const [command, host] = args;
  if (command === undefined) {
    for (const build of hostBuilds()) console.log(`${build.host}:${build.platform}`);
  } else if (command === "names") {
    console.log(hostNames().join(" "));
  } else if (command === "platform" && host !== undefined && hostNames().includes(host)) {
    console.log(hostPlatforms(host)[0]);
  } else {
    console.error(`usage: tsx tools/hosts.ts [names | platform HOST]; hosts: ${hostNames().join(" ")}`);
    return 2;
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
