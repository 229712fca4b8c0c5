/** Test app with two type errors that would not stop it at run time: the type-check must. */
import { imp, server } from "impnet";

const port: number = "1234";
server.log(`ran with port ${port} and ${imp.net.info().interfaces}`);
trace("trace ran\n");
