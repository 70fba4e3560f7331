/**
 * The house rules of DESIGN §4 as dependency-cruiser rules, checked by `npm run check:deps` (part of
 * `npm test`). docs/architecture.md explains each rule and the layer picture.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'gateway-is-provider-agnostic-infrastructure',
      comment:
        'The gateway knows nothing of the product: use cases (app), features, governance and HTTP plug into it through its own interfaces.',
      severity: 'error',
      from: { path: '^src/gateway/' },
      to: { path: '^src/(app|features|governance|http|main|domain|graph|queue|events|realtime)/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        'Scoring, advice, forecasting and analytics are pure functions: no I/O, no Node built-ins, no database (they may throw the shared AppError).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        pathNot: ['^src/domain/', '^src/errors\\.ts$', '(^|/)node_modules/(zod|simple-statistics)/'],
      },
    },
    {
      name: 'nothing-imports-main',
      comment: 'src/main is the composition root: it imports everything and nothing imports it.',
      severity: 'error',
      from: { pathNot: '^src/main/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'web-imports-no-server-code',
      comment: 'The browser bundle may share only the contracts (zod schemas and types) with the server.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
    {
      name: 'server-imports-no-web-code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },
    {
      name: 'contracts-are-leaves',
      comment:
        'Contracts are schemas and types shared by server and browser; they import only zod and the pure domain.',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { pathNot: ['^src/contracts/', '^src/domain/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'routes-use-app-not-data',
      comment: 'Routes are thin: parse, call a use case in src/app/<area>/, reply. They never reach repositories.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/data/(repositories|schema)' },
    },
    {
      name: 'data-is-the-bottom-layer',
      comment: 'Repositories are called by use cases; they do not call up into the product or the gateway.',
      severity: 'error',
      from: { path: '^src/data/' },
      to: { path: '^src/(app|http|features|gateway|governance|main|graph|queue|realtime)/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders (the parts) form a graph without cycles.',
      severity: 'error',
      from: {},
      to: { circular: true },
      scope: 'folder',
    },
    {
      name: 'no-unresolvable',
      comment:
        "csv-parse/sync is exported only under nested conditions that the cruiser's resolver does not follow; Node and tsc resolve it.",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^csv-parse/sync$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^data/', '\\.test\\.tsx?$', '^web/src/test/', '^web/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
