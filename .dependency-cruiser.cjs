/**
 * Import-cycle check (`npm run test:cycles`, first step of `npm test`): no
 * module in modules/ or hosts/ may import itself back through any chain of
 * imports, type-only imports included, so dependencies point one way
 * (docs/architecture.md, "Dependencies").
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: make the dependency point one way (for example pass a small context object instead of importing its owner).",
      // Every path cruised: `test:cycles` names modules/ and hosts/ (tests/unit/cycles.test.ts a fixture).
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".d.ts", ".js", ".json"] },
  },
};
