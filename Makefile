# impnet — Moddable builds and project tasks.
#
#   make build   HOST=esp32-w5500|esp32-wifi|lin   build the app for a host with mcconfig (make hosts: the list)
#   make deploy  HOST=…                            build and flash (ESP32) or run (lin)
#   make xsbug   HOST=…                            build, flash and attach the xsbug debugger
#   make sim-moddable                              build for lin and run in Moddable's mcsim
#   make check-moddable                            resolve every host's manifests and type-check
#                                                  our TypeScript against the SDK's typings; then check-esp32
#   make check-esp32                               ESP32 builds up to the JavaScript image (preload, heap,
#                                                  size), then the C files they add: preprocessed and parsed
#                                                  against ESP-IDF v6.0 headers (IDF_SOURCES, ESP_ETH_DRIVERS)
#   make test-moddable-io [MCSIM=1]                the SDK's own UDP tests against the simulator's
#                                                  emulation (and, with MCSIM=1, on lin in mcsim)
#   make hosts                                     every host and platform, from hosts/*/manifest.json (tools/hosts.ts)
#   make sim | test | bench                        npm start / npm test / npm run bench
#
# Options: PLATFORM=esp32/esp32s3 (Moddable platform/subplatform; default esp32 for
# ESP32 hosts), SSID=… PASSWORD=… (WiFi credentials, into mc/config), RELEASE=1
# (no debugger), OUT=dir (build output, default ./build), APP=manifest (default ./manifest.json).

HOST ?= esp32-w5500
OUT ?= $(CURDIR)/build
APP ?= $(CURDIR)/manifest.json
# The hosts are the folders of hosts/ with a manifest.json; tools/hosts.ts reads them (and each one's platforms).
HOSTS_TOOL = $(CURDIR)/node_modules/.bin/tsx $(CURDIR)/tools/hosts.ts
HOSTS = $(shell $(HOSTS_TOOL) names)
PLATFORM ?= $(shell $(HOSTS_TOOL) platform $(HOST) 2>/dev/null)

ifeq ($(RELEASE),1)
DEBUG_FLAG :=
else
DEBUG_FLAG := -d
endif

CONFIG_ARGS := $(if $(SSID),ssid=$(SSID)) $(if $(PASSWORD),password=$(PASSWORD))
# mcconfig compiles TypeScript with the `tsc` it finds on PATH: use the project's.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export IMPNET_HOST := $(HOST)

MCCONFIG = mcconfig $(DEBUG_FLAG) -m -p $(PLATFORM) -o $(OUT) $(APP) $(CONFIG_ARGS)

.PHONY: build deploy xsbug sim-moddable check-moddable check-esp32 test-moddable-io hosts sim test bench require-sdk require-idf require-host clean

require-host:
	@case " $(HOSTS) " in *" $(HOST) "*) ;; *) echo "impnet: unknown HOST '$(HOST)' (choose one of: $(HOSTS))" >&2; exit 2;; esac

require-sdk:
	@if [ -z "$$MODDABLE" ]; then \
	  echo "impnet: MODDABLE is not set. Install the Moddable SDK (see README.md, 'Running on hardware'):" >&2; \
	  echo "  https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/Moddable%20SDK%20-%20Getting%20Started.md" >&2; \
	  echo "  then: export MODDABLE=/path/to/moddable PATH=\$$MODDABLE/build/bin/lin/release:\$$PATH" >&2; \
	  exit 1; fi
	@command -v mcconfig >/dev/null 2>&1 || { echo "impnet: mcconfig is not on PATH; add \$$MODDABLE/build/bin/<your OS>/release to PATH" >&2; exit 1; }
	@command -v tsc >/dev/null 2>&1 || { echo "impnet: tsc not found; run 'npm install' first" >&2; exit 1; }

require-idf:
	@if [ "$(PLATFORM)" != "lin" ] && [ -z "$$IDF_PATH" ]; then \
	  echo "impnet: IDF_PATH is not set. ESP32 builds need ESP-IDF v6.0 set up as the Moddable SDK's ESP32 guide says:" >&2; \
	  echo "  https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/devices/esp32.md" >&2; \
	  exit 1; fi

build: require-host require-sdk require-idf
	@mkdir -p $(OUT)
	$(MCCONFIG) -t build

deploy: require-host require-sdk require-idf
	@mkdir -p $(OUT)
	$(MCCONFIG) -t deploy

xsbug: require-host require-sdk require-idf
	@mkdir -p $(OUT)
	$(MCCONFIG) -t all

# Moddable's desktop simulator: build for lin, then run mcsim (headless under xvfb-run when there is no display).
sim-moddable: HOST := lin
sim-moddable: PLATFORM := lin
sim-moddable: require-sdk
	@mkdir -p $(OUT)
	mcconfig $(DEBUG_FLAG) -m -p lin -o $(OUT) $(APP) -t build
	@if [ -n "$$DISPLAY" ]; then mcsim $(OUT)/bin/lin/mc/$(if $(DEBUG_FLAG),debug,release)/impnet/mc.so; \
	 else xvfb-run -a mcsim $(OUT)/bin/lin/mc/$(if $(DEBUG_FLAG),debug,release)/impnet/mc.so; fi

# Resolves every host's manifests for its platform branch (no toolchain needed: mcconfig only
# generates the build) and type-checks our TypeScript against what the SDK generated.
check-moddable: require-sdk
	@set -e; for spec in $$($(HOSTS_TOOL)); do \
	  host=$${spec%%:*}; platform=$${spec#*:}; dir=$$(mktemp -d); \
	  echo "== $$host on $$platform"; \
	  IMPNET_HOST=$$host mcconfig -d -p $$platform -o $$dir $(APP) >$$dir/mcconfig.log 2>&1 || { cat $$dir/mcconfig.log; exit 1; }; \
	  for config in $$(find $$dir/tmp -path '*/modules/*-tsconfig.json' | grep -e '/impnet' -e '/main-tsconfig'); do \
	    tsc -p $$config --noEmit || exit 1; done; \
	  echo "   manifests resolved, TypeScript checked"; rm -rf $$dir; done
	@$(MAKE) --no-print-directory check-esp32

# Needs no ESP-IDF toolchain: see docs/esp32.md §4. IDF_SOURCES (default IDF_PATH) is an ESP-IDF v6.0
# checkout and ESP_ETH_DRIVERS one of espressif/esp-eth-drivers; without them only the JavaScript half runs.
# The C stage also needs clang, python3-kconfiglib and libnewlib-dev (Debian packages).
check-esp32: require-sdk
	tsx tools/esp32/check.ts

# The Moddable SDK's own ECMA-419 UDP tests, read from $MODDABLE/tests/modules/io/socket/udp (never
# copied), run unmodified against the simulator's emulation of embedded:io/socket/udp and, with MCSIM=1,
# on Moddable's lin build in mcsim; prints a per-test table (tools/moddable-io-tests.ts).
test-moddable-io:
	@if [ -z "$$MODDABLE" ]; then \
	  echo "impnet: MODDABLE is not set; the SDK's tests are read from \$$MODDABLE/tests (see README.md, 'Running on hardware')" >&2; \
	  exit 1; fi
	npx tsx tools/moddable-io-tests.ts $(if $(filter 1,$(MCSIM)),--mcsim)

hosts:
	@$(HOSTS_TOOL)

sim:
	npm start

test:
	npm test

bench:
	npm run bench

clean:
	rm -rf $(OUT)
