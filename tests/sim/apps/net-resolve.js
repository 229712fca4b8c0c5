/* Test app: Net.resolve answers (or fails) in the simulator, so a promise around it settles (tests/sim/net-resolve.test.ts). */
import Net from "net";

function resolve(name) {
  return new Promise((resolveAddress, reject) => {
    Net.resolve(name, (host, address) => (address ? resolveAddress(address) : reject(new Error(`${host} did not resolve`))));
  });
}

(async () => {
  for (const name of ["pool.ntp.org", "localhost", "10.0.0.7"]) {
    try {
      trace(`resolved ${name} ${await resolve(name)}\n`);
    } catch (error) {
      trace(`failed: ${error.message}\n`);
    }
  }
  trace("resolve done\n");
})();
