/**
 * XS's globals and the Moddable modules impnet's port and every host use, from
 * `@moddable/typings`, referenced by type so they resolve wherever npm put the
 * package. ECMA-419 UDP is not here: the port checks against its own shape
 * (compat/udp.d.ts, mapped in hosts/tsconfig.moddable.json); apps see the
 * SDK's declaration (app.d.ts).
 */
/// <reference types="@moddable/typings/xs" />
/// <reference types="@moddable/typings/embedded_io/_common" />
/// <reference types="@moddable/typings/net" />
/// <reference types="@moddable/typings/timer" />
/// <reference types="@moddable/typings/time" />
/// <reference types="@moddable/typings/mc/config" />
