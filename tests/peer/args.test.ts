import test from "ava";
import { TargetRefusedError, UsageError } from "../../hosts/peer/address.ts";
import { parseArgs, parseRateArg, parseSizeArg, parseTimeArg } from "../../hosts/peer/args.ts";
import { loopbackSocket, runCli } from "./helpers.ts";

// Every bad input: exit code 2, one error line, then the short usage text.
const BAD: Array<[string, string[], RegExp]> = [
  ["no mode", [], /no mode/],
  ["unknown mode", ["ping", "--target", "127.0.0.1:7"], /unknown mode "ping"/],
  ["missing target", ["echo"], /needs --target/],
  ["target without port", ["echo", "--target", "127.0.0.1"], /malformed target/],
  ["port not a number", ["echo", "--target", "127.0.0.1:echo"], /malformed target port/],
  ["port out of range", ["echo", "--target", "127.0.0.1:70000"], /out of range/],
  ["port zero", ["flood", "--target", "10.0.0.1:0"], /out of range/],
  ["malformed address", ["echo", "--target", "10.0.0.300:7"], /malformed target address/],
  ["hostname", ["echo", "--target", "device.lan:7"], /malformed target address/],
  ["size over 65507", ["echo", "--target", "127.0.0.1:7", "--size", "65508"], /over the UDP\/IPv4 maximum of 65507/],
  ["size below the header", ["echo", "--target", "127.0.0.1:7", "--size", "15"], /below the minimum of 16/],
  ["size in a sweep over the limit", ["flood", "--target", "127.0.0.1:7", "--size", "64,70000"], /over the UDP\/IPv4 maximum/],
  ["malformed size", ["echo", "--target", "127.0.0.1:7", "--size", "big"], /malformed size/],
  ["negative rate", ["echo", "--target", "127.0.0.1:7", "--rate", "-5"], /rate must not be negative/],
  ["malformed rate", ["flood", "--target", "127.0.0.1:7", "--rate", "fast"], /malformed rate/],
  ["unknown option", ["echo", "--target", "127.0.0.1:7", "--frobnicate"], /unknown option "--frobnicate"/],
  ["unknown short option", ["echo", "--target", "127.0.0.1:7", "-x"], /unknown option "-x"/],
  ["option of another mode", ["sink", "--listen", "9000", "--window", "4"], /--window does not apply to mode sink/],
  ["zero count", ["echo", "--target", "127.0.0.1:7", "--count", "0"], /count must be a positive integer/],
  ["malformed duration", ["flood", "--target", "127.0.0.1:7", "--duration", "soon"], /malformed duration/],
  ["unknown pattern", ["echo", "--target", "127.0.0.1:7", "--pattern", "stripes"], /unknown pattern/],
  ["window with a rate", ["echo", "--target", "127.0.0.1:7", "--rate", "100", "--window", "4"], /--window applies to unpaced echo only/],
  ["option without value", ["echo", "--target"], /needs a value/],
  ["sink without listen", ["sink"], /needs --listen/],
  ["listen port out of range", ["sink", "--listen", "65536"], /out of range/],
  ["extra positional", ["echo", "extra", "--target", "127.0.0.1:7"], /unexpected argument "extra"/],
];

// Destinations outside loopback and the private ranges are refused (also exit 2).
const REFUSED: Array<[string, string[]]> = [
  ["public unicast", ["echo", "--target", "8.8.8.8:53"]],
  ["just outside 172.16/12", ["flood", "--target", "172.32.0.1:7"]],
  ["just outside 192.168/16", ["flood", "--target", "192.169.0.1:7"]],
  ["limited broadcast", ["broadcast", "--target", "255.255.255.255:7"]],
  ["multicast", ["echo", "--target", "224.0.0.1:7"]],
  ["unspecified", ["echo", "--target", "0.0.0.0:7"]],
  ["link-local", ["echo", "--target", "169.254.1.1:7"]],
];

function checkUsageError(t: import("ava").ExecutionContext, r: { code: number | null; stdout: string; stderr: string }, re: RegExp) {
  t.is(r.code, 2, r.stderr);
  t.is(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  t.regex(lines[0]!, /^impnet-peer: error: /);
  t.regex(lines[0]!, re);
  t.regex(lines[1]!, /^usage: impnet-peer /, "short usage follows the error line");
  t.true(lines.length <= 6, "usage text is short");
}

// Each bad input is refused by the parser with its message; the CLI turns any such refusal into
// exit 2, the one error line and the usage text, shown here for one of each kind (every CLI
// run costs a Node start, so not once per input).
for (const [name, argv, re] of BAD) {
  test(`parseArgs: ${name} is a usage error`, (t) => {
    t.throws(() => parseArgs(argv), { instanceOf: UsageError, message: re });
  });
}

for (const [name, argv] of REFUSED) {
  test(`parseArgs refuses a ${name} target`, (t) => {
    t.throws(() => parseArgs(argv), { instanceOf: TargetRefusedError, message: /refusing to send to .* only loopback .* private/ });
  });
}

test("CLI: a usage error → exit 2 with a one-line error and the short usage", async (t) => {
  checkUsageError(t, await runCli(["echo", "--target", "127.0.0.1:7", "--frobnicate"]), /unknown option "--frobnicate"/);
});

test("CLI: a usage error found by the mode (size over 65507) → exit 2 the same way", async (t) => {
  checkUsageError(t, await runCli(["echo", "--target", "127.0.0.1:7", "--size", "65508"]), /over the UDP\/IPv4 maximum of 65507/);
});

test("CLI refuses a public target the same way", async (t) => {
  checkUsageError(t, await runCli(["echo", "--target", "8.8.8.8:53"]), /refusing to send to .* only loopback .* private/);
});

test("CLI --help prints usage and exits 0", async (t) => {
  const r = await runCli(["--help"]);
  t.is(r.code, 0);
  t.regex(r.stdout, /usage: impnet-peer/);
  t.regex(r.stdout, /--window N/);
  t.is(r.stderr, "");
  const r2 = await runCli(["echo", "--help"]);
  t.is(r2.code, 0);
  t.regex(r2.stdout, /modes/);
});

test("CLI runtime failure (port in use) → one-line error, exit 1", async (t) => {
  const s = await loopbackSocket();
  try {
    const r = await runCli(["sink", "--listen", `127.0.0.1:${s.address().port}`, "--timeout", "1s"]);
    t.is(r.code, 1);
    t.regex(r.stderr, /^impnet-peer: error: .*EADDRINUSE/);
    t.is(r.stderr.trimEnd().split("\n").length, 1);
  } finally {
    s.close();
  }
});

test("parseArgs: valid options and their units", (t) => {
  const a = parseArgs(["echo", "--target=192.168.1.20:9000", "--count", "10k", "--size", "16,64,1400", "--rate", "2.5k", "--timeout", "250ms", "--duration", "2m", "--pattern", "ones", "--json", "--report", "r.html"]);
  t.is(a.mode, "echo");
  t.deepEqual(a.target, { address: "192.168.1.20", port: 9000 });
  t.is(a.count, 10_000);
  t.deepEqual(a.sizes, [16, 64, 1400]);
  t.is(a.rate, 2500);
  t.is(a.window, undefined);
  t.is(parseArgs(["echo", "--target", "10.0.0.2:7", "--window", "4"]).window, 4);
  t.is(a.timeoutMs, 250);
  t.is(a.durationMs, 120_000);
  t.is(a.pattern, "ones");
  t.true(a.json);
  t.is(a.report, "r.html");
  t.deepEqual(parseArgs(["sink", "--listen", "9000"]).listen, { address: "0.0.0.0", port: 9000 });
  t.deepEqual(parseArgs(["serve-echo", "--listen", "9000"]).listen, { address: "127.0.0.1", port: 9000 });
  t.deepEqual(parseArgs(["echo", "--target", "localhost:7"]).target, { address: "127.0.0.1", port: 7 });
  t.true(parseArgs(["-h"]).help);
});

test("size sweeps, rates and times", (t) => {
  t.deepEqual(parseSizeArg("16..1472:512"), [16, 528, 1040, 1472]);
  t.deepEqual(parseSizeArg("16..100"), [16, 32, 64, 100]);
  t.deepEqual(parseSizeArg("64..64"), [64]);
  t.deepEqual(parseSizeArg("65507"), [65507]);
  t.throws(() => parseSizeArg("100..16"), { message: /backwards/ });
  t.is(parseRateArg("0"), 0);
  t.is(parseRateArg("max"), 0);
  t.is(parseRateArg("1M"), 1_000_000);
  t.is(parseTimeArg("1.5", "duration"), 1500);
  t.is(parseTimeArg("30s", "duration"), 30_000);
  t.throws(() => parseTimeArg("0", "timeout"), { message: /positive/ });
});
