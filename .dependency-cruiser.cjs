// The layers of pgwarden, checked by `npm run deps` (part of `npm test`):
//   cli (and the library entry src/index.ts)
//     -> features: quickstart -> audit -> roles, hba -> pg -> pki -> config
//       -> core (errors, files, addresses, source locations, findings, names, text)
// A feature imports only features below it; the core imports no feature; nothing imports cli; no cycles.
const FEATURES = ["config", "pki", "pg", "hba", "roles", "audit", "quickstart"];
/** What each feature must not import: every feature above it, and its peers that are not below it. */
const NOT_BELOW = {
  config: ["pki", "pg", "hba", "roles", "audit", "quickstart"],
  pki: ["pg", "hba", "roles", "audit", "quickstart"],
  pg: ["hba", "roles", "audit", "quickstart"],
  hba: ["roles", "audit", "quickstart"],
  roles: ["hba", "audit", "quickstart"],
  audit: ["quickstart"],
  quickstart: [],
};

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A cycle ties modules together so neither can be understood, tested or moved alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-no-feature",
      comment: "src/core/ is what every feature shares: it must not know any of them.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "nothing-imports-cli",
      comment: "src/cli/ parses argv, prints and exits; library code returns results and throws typed errors.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "nothing-imports-the-library-entry",
      comment: "src/index.ts is for users of the package; code inside imports the module it needs.",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "^src/index\\.ts$" },
    },
    ...FEATURES.filter((feature) => NOT_BELOW[feature].length > 0).map((feature) => ({
      name: `layer-${feature}`,
      comment: `${feature} may import only the core and the features below it.`,
      severity: "error",
      from: { path: `^src/${feature}/` },
      to: { path: `^src/(${NOT_BELOW[feature].join("|")})/` },
    })),
    {
      name: "every-folder-has-a-layer",
      comment: "A new folder under src/ must be given its place in the layers above.",
      severity: "error",
      from: { path: "^src/", pathNot: `^src/((core|cli|${FEATURES.join("|")})/|index(\\.test)?\\.ts$)` },
      to: {},
    },
    {
      name: "product-code-does-not-import-tests",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "(^test/|\\.test\\.ts$)" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
