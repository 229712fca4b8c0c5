/* Test app: Moddable's trace() and the simulator's print() (tests/sim/cli.test.ts). */
import { server } from "impnet";

trace("hello\n");
trace("one ", 2, " ", true, "\n");
trace("no newline yet");
trace(" ... done\n");
trace("a\nb\n");
trace.left("bubble", "conversation");
trace.right(new ArrayBuffer(4), "binary bubbles are not printed");
trace.center("centered");
print("print", 1, null);
trace(`trace.name=${trace.name} length=${trace.length}\n`);
trace("before server.log\n");
server.log("server.log between traces");
trace("after server.log\n");
trace("held until the simulator stops");
