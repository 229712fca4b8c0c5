/**
 * `make check-esp32`: what can be proven about the ESP32 builds without
 * ESP-IDF's toolchain (docs/esp32.md §4).
 *
 * For each ESP32 host and platform: mcconfig generates the build; the
 * generated makefile runs only as far as the JavaScript image (xsc, then xsl
 * with the preload list, up to mc.xs.c) against a stand-in IDF_PATH; the
 * image is read back from mc.xs.c (heap slots, bytecode left outside it) and
 * every impnet module must be in it. Then, given ESP-IDF v6.0 sources, each C
 * file the build adds or impnet depends on is preprocessed with the generated
 * mc.defines.h, ESP-IDF's headers and an sdkconfig.h made from ESP-IDF's
 * Kconfig (failing on a MODDEF_* name left undefined), and compiled with
 * clang -fsyntax-only.
 *
 * Usage: tsx tools/esp32/check.ts [HOST:PLATFORM[:UDP] ...] (UDP: the host's
 * IMPNET_UDP, stock or native; default the host's own).
 * Environment: MODDABLE (required; mcconfig, xsc, xsl and tsc on PATH),
 * IDF_SOURCES (ESP-IDF v6.0 checkout; default IDF_PATH), ESP_ETH_DRIVERS
 * (espressif/esp-eth-drivers checkout, for the w5500 component's headers),
 * KEEP=1 keeps the build folders.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hostBuilds } from "../hosts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const here = dirname(fileURLToPath(import.meta.url));
/**
 * Every ESP32 host on every platform its manifest names (tools/hosts.ts), with the host's own UDP
 * choice (native, docs/native-lwip.md); then each host with Moddable's stock UDP, which it can still pick.
 */
const BUILDS = hostBuilds().filter((build) => build.platform.split("/")[0] === "esp32");
const SPECS = [
  ...BUILDS.map((build) => `${build.host}:${build.platform}`),
  ...[...new Set(BUILDS.map((build) => build.host))].map((host) => `${host}:esp32:stock`),
];
/** A txSlot is 16 bytes on a 32-bit XS build (next, id, flag, kind, 8-byte value). */
const SLOT_BYTES = 16;
/** SDK C files impnet's port calls directly (ECMA-419 UDP and WiFi): checked with the files a host adds. */
const SDK_DEPENDENCIES = ["modules/io/socket/lwip/udp.c", "modules/io/wifi/esp32/wifi-esp32.c"];
/** SDK folders whose C files a host manifest adds (the ECMA-419 Ethernet interface). */
const SDK_ADDED = ["modules/io/ethernet/"];

const moddable = process.env.MODDABLE ?? "";
const idfSources = process.env.IDF_SOURCES || process.env.IDF_PATH || "";
const ethDrivers = process.env.ESP_ETH_DRIVERS ?? "";
const keep = process.env.KEEP === "1";

interface ImageReport {
  instances: string;
  heapSlots: number;
  stackSlots: number;
  outside: Array<{ name: string; bytes: number }>;
}

class CheckError extends Error {}

/** Runs a command; returns its stdout, or stdout and stderr together when `both`. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; both?: boolean } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new CheckError(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${(result.stdout ?? "").slice(-3000)}${(result.stderr ?? "").slice(-3000)}`);
  }
  return options.both === true ? `${result.stdout}\n${result.stderr}` : result.stdout;
}

function findMakefile(dir: string): string {
  const stack = [join(dir, "tmp")];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (name === "makefile") return path;
      if (statSync(path).isDirectory() && !name.startsWith("xsProj")) stack.push(path);
    }
  }
  throw new CheckError(`no makefile under ${dir}`);
}

/** Reads the preloaded image's size and the modules left out of it from xsl's mc.xs.c. */
function readImage(mcXs: string, instances: string): ImageReport {
  const text = readFileSync(mcXs, "utf8");
  const count = (name: string): number => Number(new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1] ?? NaN);
  const outside: Array<{ name: string; bytes: number }> = [];
  // gxScripts rows: { callback, NULL, 0, code, size, NULL, 0, "name", version }; code is NULL when preloaded.
  const table = /static const txScript gxScripts\[mxScriptsCount\] = \{([\s\S]*?)\n\};/.exec(text);
  if (table === null) throw new CheckError(`${mcXs}: no gxScripts table`);
  for (const row of table[1].matchAll(/\{ [^,]+, NULL, 0, (NULL|\(txS1\*\)gxCode\d+), (\d+), NULL, 0, "([^"]+)"/g)) {
    if (row[1] !== "NULL") outside.push({ name: row[3], bytes: Number(row[2]) });
  }
  return { instances, heapSlots: count("mxHeapCount"), stackSlots: count("mxStackCount"), outside };
}

function javascriptImage(makefile: string, spec: string): ImageReport {
  const tmp = dirname(makefile);
  const standIn = mkdtempSync(join(tmpdir(), "impnet-idf-stand-in-"));
  try {
    // IDF_VERSION given: the makefile would otherwise ask git in IDF_PATH. SDKCONFIG_H emptied: mc.xs.c
    // depends on the sdkconfig.h that only idf.py makes; nothing before mc.xs.c reads it.
    const output = run("make", ["-f", makefile, `IDF_PATH=${standIn}`, "IDF_VERSION=v6.0", "SDKCONFIG_H=", join(tmp, "mc.xs.c")], { cwd: tmp, both: true });
    const instances = /### (\d+ instances, \d+ keys[^\n]*)/.exec(output)?.[1] ?? "(xsl printed no count)";
    return readImage(join(tmp, "mc.xs.c"), instances);
  } catch (error) {
    throw new CheckError(`${spec}: building the JavaScript image failed: ${(error as Error).message}`);
  } finally {
    rmSync(standIn, { recursive: true, force: true });
  }
}

/** Variables of the generated makefile, evaluated with the real ESP-IDF sources. */
function makeVariables(makefile: string, names: string[]): Record<string, string> {
  const rule = `impnet-print: ; ${names.map((name) => `@echo '${name}=$(${name})'`).join(" && ")}`.replace(/ && @/g, " && ");
  const output = run("make", ["-s", "-f", makefile, `IDF_PATH=${idfSources}`, "IDF_VERSION=v6.0", "--eval", rule, "impnet-print"], { cwd: dirname(makefile) });
  const values: Record<string, string> = {};
  for (const line of output.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return values;
}

/** The C sources of the generated build (rules `$(TMP_DIR)/x.c.o: SOURCE $(HEADERS)`). */
function buildSources(makefile: string): string[] {
  const text = readFileSync(makefile, "utf8");
  return [...text.matchAll(/^\$\(TMP_DIR\)\/[^:\s]+\.c\.o: (\S+\.c) \$\(HEADERS\)/gm)].map((m) => m[1]);
}

/** The highest tag `name@vX.Y.Z` of esp-eth-drivers within a caret range `^A.B.C`. */
function componentTag(name: string, range: string): string {
  const [major, minor, patch] = range.replace(/^\^/, "").split(".").map(Number);
  const tags = run("git", ["-C", ethDrivers, "tag", "-l", `${name}@v*`]).split("\n").filter((t) => t !== "");
  const fits = tags
    .map((tag) => ({ tag, v: tag.slice(name.length + 2).split(".").map(Number) }))
    .filter(({ v }) => v[0] === major && (v[1] > minor || (v[1] === minor && v[2] >= patch)))
    .sort((a, b) => a.v[1] - b.v[1] || a.v[2] - b.v[2]);
  if (fits.length === 0) throw new CheckError(`no ${name} tag in ${ethDrivers} satisfies ${range} (tags: ${tags.join(", ")})`);
  return fits[fits.length - 1].tag;
}

/** Puts each managed component's headers where the generated makefile expects them (MANAGED_COMPONENT_DIRS). */
function managedComponents(makefile: string): string[] {
  const text = readFileSync(makefile, "utf8");
  const notes: string[] = [];
  for (const m of text.matchAll(/idf\.py add-dependency "espressif\/([\w-]+)(\^[\d.]+)"/g)) {
    const [, name, range] = m;
    if (ethDrivers === "" || !existsSync(join(ethDrivers, ".git"))) throw new CheckError(`the build depends on espressif/${name}${range}: set ESP_ETH_DRIVERS to an espressif/esp-eth-drivers checkout`);
    const tag = componentTag(name, range);
    const dir = join(dirname(makefile), `xsProj-${/ESP32_SUBCLASS = (\S+)/.exec(text)?.[1]}`, "managed_components", `espressif__${name}`);
    for (const path of run("git", ["-C", ethDrivers, "ls-tree", "-r", "--name-only", tag, `${name}/include`]).split("\n").filter((p) => p !== "")) {
      const target = join(dir, path.slice(name.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, execFileSync("git", ["-C", ethDrivers, "show", `${tag}:${path}`]));
    }
    notes.push(`espressif/${name}${range} → ${tag}`);
  }
  return notes;
}

interface CResult {
  file: string;
  preprocessed: boolean;
  syntax: "ok" | "failed" | "not run";
  detail: string;
}

function checkC(makefile: string, spec: string, hostSdkconfig: string): { results: CResult[]; notes: string[]; failures: string[] } {
  const tmp = dirname(makefile);
  const text = readFileSync(makefile, "utf8");
  const subclass = /ESP32_SUBCLASS = (\S+)/.exec(text)?.[1] ?? "esp32";
  const failures: string[] = [];
  const notes = managedComponents(makefile);

  // sdkconfig.h where the makefile looks for it ($(SDKCONFIG_H_DIR) = xsProj-*/build/config), from ESP-IDF's Kconfig.
  const projDir = join(tmp, `xsProj-${subclass}`);
  const sdkconfig = spawnSync("/usr/bin/python3", [join(here, "sdkconfig_h.py"), idfSources, subclass, join(projDir, "sdkconfig.mc"), join(projDir, "build", "config", "sdkconfig.h"), ...(existsSync(hostSdkconfig) ? [hostSdkconfig] : [])], { encoding: "utf8" });
  if (sdkconfig.status !== 0) {
    failures.push(`sdkconfig: ${(sdkconfig.stderr || sdkconfig.stdout).trim()}`);
    if (!existsSync(join(projDir, "build", "config", "sdkconfig.h"))) return { results: [], notes, failures };
  }
  notes.push(`sdkconfig.h from ESP-IDF's Kconfig for ${subclass}: ${existsSync(hostSdkconfig) ? "host options valid" : "no host options"}`);

  const vars = makeVariables(makefile, ["C_DEFINES", "C_INCLUDES"]);
  const shim = join(here, "newlib-shim");
  const resourceDir = run("clang", ["-print-resource-dir"]).trim();
  // Xtensa is not a clang target here. ESP32 and ESP32-S3 are parsed as i386 (ILP32, little-endian, and
  // its "a" register constraint accepts the operands of ESP-IDF's Xtensa inline assembly, whose text is
  // not assembled) with the macros an Xtensa compiler defines; RISC-V parts as riscv32. Debian's newlib
  // 3.3 headers stand in for ESP-IDF's newlib 4 (docs/esp32.md §4).
  const riscv = !["esp32", "esp32s2", "esp32s3"].includes(subclass);
  const arch = riscv
    ? ["--target=riscv32-unknown-elf", "-march=rv32imc"]
    : ["--target=i386-unknown-elf", "-D__XTENSA__=1", "-D__xtensa__=1", "-D__XTENSA_EL__=1", "-D__XTENSA_WINDOWED_ABI__=1"];
  const base = [
    ...arch, "-nostdinc", "-std=gnu17", "-DWITH_POSIX", "-DHAVE_CONFIG_H", "-DESP_PLATFORM",
    ...vars.C_DEFINES.split(/\s+/).filter((f) => f !== ""),
    ...vars.C_INCLUDES.split(/\s+/).filter((f) => f !== ""),
    "-isystem", shim, "-isystem", "/usr/include/newlib", "-isystem", join(resourceDir, "include"),
  ];

  const sources = buildSources(makefile);
  const wanted = sources.filter((source) =>
    source.startsWith(root + "/") || SDK_ADDED.some((dir) => source.startsWith(join(moddable, dir))) || SDK_DEPENDENCIES.some((file) => source === join(moddable, file)));
  const results: CResult[] = [];
  for (const source of wanted) {
    const ours = source.startsWith(root + "/");
    const name = ours ? relative(root, source) : `$MODDABLE/${relative(moddable, source)}`;
    const pre = spawnSync("clang", [...base, "-E", source], { cwd: tmp, encoding: "utf8", maxBuffer: 256 << 20 });
    if (pre.status !== 0) {
      const detail = pre.stderr.split("\n").filter((l) => /error/.test(l)).slice(0, 5).join("\n");
      results.push({ file: name, preprocessed: false, syntax: "not run", detail });
      failures.push(`${spec}: ${name}: preprocessing failed:\n${detail}`);
      continue;
    }
    const undefinedNames = [...new Set(pre.stdout.split("\n").filter((l) => !l.startsWith("#")).join("\n").match(/\bMODDEF_\w+/g) ?? [])];
    if (undefinedNames.length > 0) failures.push(`${spec}: ${name}: MODDEF names left undefined: ${undefinedNames.join(", ")}`);
    const strict = ours ? ["-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types", "-Werror=int-conversion"] : ["-Wno-implicit-function-declaration"];
    const syntax = spawnSync("clang", [...base, "-fsyntax-only", ...strict, source], { cwd: tmp, encoding: "utf8", maxBuffer: 64 << 20 });
    const errors = syntax.stderr.split("\n").filter((l) => /error:/.test(l));
    const warnings = syntax.stderr.split("\n").filter((l) => /warning:/.test(l)).length;
    if (syntax.status !== 0) failures.push(`${spec}: ${name}: clang -fsyntax-only:\n${errors.slice(0, 8).join("\n")}`);
    results.push({
      file: name,
      preprocessed: true,
      syntax: syntax.status === 0 ? "ok" : "failed",
      detail: `${undefinedNames.length === 0 ? "no MODDEF_* left" : `MODDEF left: ${undefinedNames.join(", ")}`}; ${warnings} warnings`,
    });
  }
  return { results, notes, failures };
}

function main(): number {
  if (moddable === "") {
    console.error("check-esp32: MODDABLE is not set (see README.md, Running on hardware)");
    return 1;
  }
  const specs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : SPECS;
  const failures: string[] = [];
  const haveIdf = idfSources !== "" && existsSync(join(idfSources, "components", "esp_eth", "Kconfig"));
  for (const spec of specs) {
    const [host, platform, udp] = spec.split(":");
    const dir = mkdtempSync(join(tmpdir(), `impnet-check-${host}-`));
    console.log(`== ${host} on ${platform}${udp === undefined ? "" : `, ${udp} UDP`}`);
    try {
      const { IMPNET_UDP: _inherited, ...base } = process.env; // a spec without UDP checks the host's own choice
      const env = { ...base, IMPNET_HOST: host, ...(udp === undefined ? {} : { IMPNET_UDP: udp }) };
      run("mcconfig", ["-d", "-p", platform, "-o", dir, join(root, "manifest.json")], { env });
      const makefile = findMakefile(dir);
      const image = javascriptImage(makefile, spec);
      const outsideBytes = image.outside.reduce((n, m) => n + m.bytes, 0);
      const impnetOutside = image.outside.filter((m) => m.name === "impnet" || m.name.startsWith("impnet/"));
      const imageBytes = (image.heapSlots + image.stackSlots) * SLOT_BYTES;
      console.log(`   xsl: ${image.instances}`);
      console.log(`   preloaded image: ${image.heapSlots} heap slots + ${image.stackSlots} stack slots = ${imageBytes} bytes (${SLOT_BYTES}-byte slots)`);
      console.log(`   bytecode outside the image: ${outsideBytes} bytes in ${image.outside.length} modules (${image.outside.map((m) => `${m.name} ${m.bytes}`).join(", ")})`);
      if (impnetOutside.length > 0) {
        failures.push(`${spec}: impnet modules left out of the preloaded image: ${impnetOutside.map((m) => `${m.name} (${m.bytes} bytes)`).join(", ")}`);
      } else {
        console.log("   every impnet module is preloaded");
      }
      if (!haveIdf) {
        console.log("   C checks skipped: no ESP-IDF v6.0 sources (set IDF_SOURCES, and ESP_ETH_DRIVERS for the W5500 host)");
        continue;
      }
      const c = checkC(makefile, spec, join(root, "hosts", host, "sdkconfig", "sdkconfig.defaults"));
      for (const note of c.notes) console.log(`   ${note}`);
      for (const r of c.results) console.log(`   C ${r.file}: ${r.preprocessed ? "preprocessed" : "preprocessing FAILED"}, syntax-only ${r.syntax} (${r.detail})`);
      failures.push(...c.failures);
    } catch (error) {
      failures.push(error instanceof CheckError ? error.message : String((error as Error).stack ?? error));
    } finally {
      if (keep) console.log(`   kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  if (failures.length > 0) {
    console.error(`\ncheck-esp32 FAILED:\n- ${failures.join("\n- ")}`);
    return 1;
  }
  console.log("\ncheck-esp32: passed");
  return 0;
}

process.exit(main());
