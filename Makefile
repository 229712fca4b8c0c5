# impnet — Moddable builds and project tasks.
#
#   make build   HOST=esp32-w5500|esp32-wifi|lin   build the app for a host with mcconfig (make hosts: the list)
#   make deploy  HOST=…                            build and flash (ESP32) or run (lin)
#   make xsbug   HOST=…                            build, flash and attach the xsbug debugger
#   make sim-moddable                              build for lin and run in Moddable's mcsim
#   make test-mcsim                                the mcsim tests of native UDP (tests/hil/mcsim*.test.ts)
#   make bench-mcsim                               echo rate in mcsim: native vs stock UDP vs Node (BENCHMARKS.md)
#   make check-moddable                            resolve every host's manifests (stock and native UDP) and
#                                                  type-check our TypeScript against the SDK's typings, compile
#                                                  the native UDP C for lin; then check-esp32
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
# (no debugger), OUT=dir (build output, default ./build), APP=manifest (default ./manifest.json),
# IMPNET_UDP=native|stock (the host's UDP: impnet's native module or stock Moddable's; default native
# on lin, stock on the ESP32 hosts; docs/native-udp.md §2).

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
ifdef IMPNET_UDP
export IMPNET_UDP
endif

MCCONFIG = mcconfig $(DEBUG_FLAG) -m -p $(PLATFORM) -o $(OUT) $(APP) $(CONFIG_ARGS)

.PHONY: build deploy xsbug sim-moddable test-mcsim bench-mcsim check-moddable check-esp32 test-moddable-io hosts sim test bench require-sdk require-idf require-host clean

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

# Moddable's desktop simulator: build for lin, then run mcsim (headless under xvfb-run when there is no display);
# native UDP unless IMPNET_UDP=stock.
sim-moddable: HOST := lin
sim-moddable: PLATFORM := lin
sim-moddable: require-sdk
	@mkdir -p $(OUT)
	mcconfig $(DEBUG_FLAG) -m -p lin -o $(OUT) $(APP) -t build
	@if [ -n "$$DISPLAY" ]; then mcsim $(OUT)/bin/lin/mc/$(if $(DEBUG_FLAG),debug,release)/impnet/mc.so; \
	 else xvfb-run -a mcsim $(OUT)/bin/lin/mc/$(if $(DEBUG_FLAG),debug,release)/impnet/mc.so; fi

# Native UDP in mcsim (docs/native-udp.md): the test files build their apps themselves (cached in
# node_modules/.cache/impnet-mcsim); the namespace LAN file needs root.
test-mcsim: require-sdk
	npx ava tests/hil/mcsim.test.ts tests/hil/mcsim-lan.test.ts tests/hil/mcsim-contract.test.ts

bench-mcsim: require-sdk
	npx tsx bench/run.ts mcsim

# Resolves every host's manifests (tools/hosts.ts) for its platform branch, with stock and with native UDP (no
# toolchain needed: mcconfig only generates the build), type-checks our TypeScript against what the
# SDK generated, and for lin compiles the native UDP C with the generated makefile's debug flags
# (-Wall -Wextra; any warning in it fails the check) after the JavaScript image it needs (mc.xs.h).
check-moddable: require-sdk
	@set -e; for spec in $$(for hp in $$($(HOSTS_TOOL)); do echo $$hp:stock $$hp:native; done); do \
	  host=$${spec%%:*}; rest=$${spec#*:}; platform=$${rest%:*}; udp=$${rest##*:}; dir=$$(mktemp -d); \
	  echo "== $$host on $$platform, $$udp UDP"; \
	  IMPNET_HOST=$$host IMPNET_UDP=$$udp mcconfig -d -p $$platform -o $$dir $(APP) >$$dir/mcconfig.log 2>&1 || { cat $$dir/mcconfig.log; exit 1; }; \
	  for config in $$(find $$dir/tmp -path '*/modules/*-tsconfig.json' | grep -e '/impnet' -e '/main-tsconfig'); do \
	    tsc -p $$config --noEmit || exit 1; done; \
	  echo "   manifests resolved, TypeScript checked"; \
	  if [ "$$platform:$$udp" = "lin:native" ]; then \
	    build=$$(dirname $$(find $$dir/tmp -name makefile | head -1)); \
	    $(MAKE) --no-print-directory -f $$build/makefile $$build/impnet_udp.c.o $$build/impnet_iface.c.o >$$dir/make.log 2>&1 || { tail -40 $$dir/make.log; exit 1; }; \
	    if grep -E 'impnet_(udp|iface)\.[ch]:[0-9]+:[0-9]+: (warning|error)' $$dir/make.log; then exit 1; fi; \
	    echo "   native UDP for lin compiled: impnet_udp.c, impnet_iface.c (-Wall -Wextra, no warnings)"; \
	  fi; \
	  rm -rf $$dir; done
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
