// ava's settings for every tier. tests/package (npm run test:package: packs impnet and installs it
// into a new project, minutes) is left out of the everyday run; its config (tests/package/ava.config.js)
// starts from this one.
export default {
  extensions: { ts: "module" },
  nodeArguments: ["--import=tsx"],
  files: ["tests/**/*.test.ts", "!tests/package/**"],
  timeout: "10m",
  workerThreads: false,
  environmentVariables: { TSX_TSCONFIG_PATH: "tests/tsconfig.json" },
};
