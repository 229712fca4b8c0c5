/**
 * The files `impnet init` writes: a Moddable app that uses impnet from
 * node_modules. The app is the seed's echo server (examples/echo.ts, read
 * from the installed package, so there is one copy).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** impnet's package folder (the one this file was installed with). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** impnet's own package.json fields the starter needs. */
export function impnetVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** An npm package name made from a folder name: lower case, `-` for anything else. */
export function appName(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+|-+$/g, "");
  return name === "" ? "impnet-app" : name.slice(0, 214);
}

/** The npm scripts the starter adds; each runs a tool installed with impnet or a Makefile target. */
export const SCRIPTS: Readonly<Record<string, string>> = {
  sim: "impnet-sim main.ts",
  "sim-moddable": "make sim-moddable",
  build: "make build",
  deploy: "make deploy",
  xsbug: "make xsbug",
  typecheck: "tsc --noEmit",
};

export function packageJson(name: string, impnetSpec: string): string {
  const json = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: SCRIPTS,
    dependencies: { impnet: impnetSpec },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function tsconfigJson(): string {
  return `${JSON.stringify(
    {
      // impnet's settings: strict, ES2025, Moddable's globals and module declarations (mc/config, timer, ...).
      extends: "impnet/tsconfig.app.json",
      include: ["**/*.ts"],
      exclude: ["node_modules", "build"],
    },
    null,
    2,
  )}\n`;
}

/**
 * The Moddable manifest: the SDK's base, then impnet's library manifest from
 * node_modules (it picks the host per platform: `IMPNET_HOST` on ESP32), and
 * the app's module `main`, which impnet starts once the device is online.
 */
export function manifestJson(name: string): string {
  const manifest = {
    build: { NAME: name },
    include: ["$(MODDABLE)/examples/manifest_base.json", "./node_modules/impnet/manifest_impnet.json"],
    modules: { "*": "./main" },
    typescript: { tsconfig: { compilerOptions: { strict: true, useDefineForClassFields: false } } },
  };
  return `${JSON.stringify(manifest, null, "\t")}\n`;
}

export function mainTs(): string {
  return readFileSync(join(PACKAGE_ROOT, "examples", "echo.ts"), "utf8");
}

export function gitignore(): string {
  return "node_modules/\nbuild/\n";
}

export function makefile(name: string): string {
  return `# Moddable builds of this app (written by \`impnet init\`).
#
#   make sim                         run main.ts in impnet's XS simulator (npx impnet-sim main.ts)
#   make sim-moddable                build for lin and run it in Moddable's mcsim
#   make build  HOST=esp32-w5500     build with mcconfig; HOST is a folder of node_modules/impnet/hosts
#   make deploy HOST=…               build and flash (ESP32) or run (lin)
#   make xsbug  HOST=…               debug build, flash, and attach xsbug
#   make hosts                       the hosts impnet has
#
# Options: PLATFORM=esp32/esp32s3 (default: the host name's first part), SSID=… PASSWORD=…
# (WiFi credentials, into mc/config), RELEASE=1 (no debugger), OUT=dir (default ./build).
# Needs the Moddable SDK (MODDABLE, mcconfig on PATH) and, for ESP32, ESP-IDF (IDF_PATH).

NAME = ${name}
HOST ?= esp32-w5500
HOSTS = $(patsubst node_modules/impnet/hosts/%/manifest.json,%,$(wildcard node_modules/impnet/hosts/*/manifest.json))
PLATFORM ?= $(firstword $(subst -, ,$(HOST)))
OUT ?= $(CURDIR)/build
DEBUG_FLAG := $(if $(filter 1,$(RELEASE)),,-d)
CONFIG_ARGS := $(if $(SSID),ssid=$(SSID)) $(if $(PASSWORD),password=$(PASSWORD))
# mcconfig compiles TypeScript with the \`tsc\` it finds on PATH: the one installed with impnet.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export IMPNET_HOST := $(HOST)
MCCONFIG = mcconfig $(DEBUG_FLAG) -m -p $(PLATFORM) -o $(OUT) $(CURDIR)/manifest.json $(CONFIG_ARGS)
MC_SO = $(OUT)/bin/lin/$(if $(DEBUG_FLAG),debug,release)/$(NAME)/mc.so

.PHONY: sim sim-moddable build deploy xsbug hosts require-sdk require-host

sim:
\timpnet-sim main.ts

require-host:
\t@case " $(HOSTS) " in *" $(HOST) "*) ;; *) echo "unknown HOST '$(HOST)' (choose one of: $(HOSTS); run npm install first)" >&2; exit 2;; esac

require-sdk:
\t@command -v mcconfig >/dev/null 2>&1 || { echo "mcconfig is not on PATH: install the Moddable SDK, then export MODDABLE=/path/to/moddable PATH=\\$$MODDABLE/build/bin/lin/release:\\$$PATH" >&2; exit 1; }
\t@if [ "$(PLATFORM)" != "lin" ] && [ -z "$$IDF_PATH" ]; then echo "IDF_PATH is not set: ESP32 builds need ESP-IDF set up as the Moddable SDK's ESP32 guide says" >&2; exit 1; fi

build: require-host require-sdk
\t@mkdir -p $(OUT)
\t$(MCCONFIG) -t build

deploy: require-host require-sdk
\t@mkdir -p $(OUT)
\t$(MCCONFIG) -t deploy

xsbug: require-host require-sdk
\t@mkdir -p $(OUT)
\t$(MCCONFIG) -t all

sim-moddable: HOST := lin
sim-moddable: PLATFORM := lin
sim-moddable: require-sdk
\t@mkdir -p $(OUT)
\t$(MCCONFIG) -t build
\t@if [ -n "$$DISPLAY" ]; then mcsim $(MC_SO); else xvfb-run -a mcsim $(MC_SO); fi

hosts:
\t@echo $(HOSTS)
`;
}
