/*
 * Main module of the mcsim (lin) build of the SDK's tests: installs the testmc
 * stand-in (the lin build's network is the host's own, always up), then loads
 * the test module named by mc/config's testmc_test. No top-level await: the
 * main module of a Moddable app is evaluated synchronously.
 */
import "test262-harness";
import config from "mc/config";
import { installHarness, parseHosts } from "testmc-harness";

installHarness({ connected: () => Promise.resolve(), hosts: parseHosts(config.testmc_hosts) });
import(config.testmc_test).then(undefined, (error) => $DONE(error));
