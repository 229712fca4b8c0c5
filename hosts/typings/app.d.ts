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
/// <reference types="@moddable/typings/xs" />
/// <reference types="@moddable/typings/embedded_io/_common" />
/// <reference types="@moddable/typings/embedded_io/socket/udp" />
/// <reference types="@moddable/typings/net" />
/// <reference types="@moddable/typings/timer" />
/// <reference types="@moddable/typings/time" />
/// <reference types="@moddable/typings/mc/config" />
