/**
 * What an impnet app sees besides impnet itself: XS's globals and the Moddable
 * modules every impnet host provides, in the XS simulator too (hosts/sim/board):
 * ECMA-419 UDP, `net`, `timer`, `time` and `mc/config`, from `@moddable/typings`.
 * Referenced by type, not by path, so the declarations resolve wherever npm
 * put `@moddable/typings` (inside this repository, or beside impnet in an
 * app's node_modules). hosts/tsconfig.app.json lists it; impnet-sim
 * (hosts/sim/typecheck.ts) and apps that extend "impnet/tsconfig.app.json"
 * check against it.
 */
/// <reference path="./moddable.d.ts" />
/// <reference types="@moddable/typings/embedded_io/socket/udp" />
