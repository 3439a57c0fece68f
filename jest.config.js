/** Jest runs the TypeScript sources through ts-jest; end-to-end tests use the compiled dist/ (built by `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 60000,
  // Tests within a file run in a new order each run (the seed is printed; rerun with --seed=N):
  // no test may lean on another's state.
  randomize: true,
  globalSetup: "<rootDir>/test/globalSetup.ts",
};
