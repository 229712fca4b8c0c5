// Test app that does not compile (a syntax error on purpose).
import { server } from "impnet";
server.log("unterminated" ;
