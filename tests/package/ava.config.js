// npm run test:package: the tier the everyday `npm test` leaves out (ava.config.js).
import base from "../../ava.config.js";

export default { ...base, files: ["tests/package/**/*.test.ts"], timeout: "30m" };
