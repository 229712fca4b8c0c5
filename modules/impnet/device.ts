/**
 * `impnet/device`: the one device (runtime) of this firmware, on the host
 * `impnet/host` provides. Shared by `impnet` (what apps import) and
 * `impnet/boot` (how hosts start apps). The host itself is made on first
 * use, so Moddable can preload this module.
 */
import host from "impnet/host";
import { createRuntime } from "impnet/core/runtime";

export const device = createRuntime(host);
