/** Test app: throws while starting, to check the simulator reports a crash with its stack. */
import { server } from "impnet";

function explode(): never {
  throw new Error("deliberate start-up failure");
}

server.log("about to fail");
explode();
