/**
 * `impnet/host`: provided by every host (mapped in its manifest or bundler
 * configuration). Its default export builds the host on first use.
 */
import type { Host } from "./port";

declare const host: () => Host;
export default host;
