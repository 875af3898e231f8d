/**
 * The import rules of ../shared/design/architecture.md ("floors that stack"), checked in CI by
 * `npm run check:deps`. Each rule's comment is the message a breach prints. Type-only imports
 * count (tsPreCompilationDeps): a type is a dependency a reader has to follow too.
 *
 * Floors, bottom up: lib/ (pure helpers and shared types) → db/ → modules/ (domain) → plugins/
 * (cross-cutting HTTP) → app.ts (composition root: builds services, hands them to plugins).
 */
const SRC = '^apps/api/src/';
const TESTS = '\\.test\\.ts$';
/** The HTTP edge of a module: its plugin (index.ts) and route files. */
const MODULE_HTTP_EDGE = `${SRC}modules/[^/]+/(index|[^/]+\\.routes)\\.ts$`;
/**
 * The legacy adapter's listener files: building Fastify instances with FastAPI-shaped errors and
 * OAuth2 forms is their whole job (modules/legacy/README.md); their domain work goes through the
 * other modules' services like any route.
 */
const LEGACY_HTTP_EDGE = `${SRC}modules/legacy/legacy\\.(app|auth|backoffice|docs|errors|gateway|responses)\\.ts$`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycle: one side must move down a floor (types to lib/, wiring to app.ts or index.ts).',
      from: { path: SRC },
      to: { circular: true },
    },
    {
      name: 'plugins-and-lib-never-import-modules',
      severity: 'error',
      comment:
        'plugins/ and lib/ sit below the modules: take the module service as a plugin option built in app.ts, or move the shared type to lib/. (Tests build whole apps and may.)',
      from: { path: `${SRC}(plugins|lib)/`, pathNot: TESTS },
      to: { path: `${SRC}modules/` },
    },
    {
      name: 'lib-never-imports-plugins',
      severity: 'error',
      comment: 'lib/ is plain TypeScript: move what it needs from the plugin into lib/.',
      from: { path: `${SRC}lib/` },
      to: { path: `${SRC}plugins/` },
    },
    {
      name: 'module-core-is-transport-free',
      severity: 'error',
      comment:
        "Services, repositories and rules take explicit dependencies and know no HTTP: only a module's index.ts and *.routes.ts use Fastify or plugins/.",
      from: { path: `${SRC}modules/`, pathNot: [MODULE_HTTP_EDGE, LEGACY_HTTP_EDGE, TESTS] },
      to: { path: [`${SRC}plugins/`, '(^|/)node_modules/(fastify|fastify-plugin|@fastify/[^/]+)/'] },
    },
    {
      name: 'no-other-modules-repository',
      severity: 'error',
      comment: "A module reaches another module's data through that module's service, never its repository.",
      from: { path: `${SRC}modules/([^/]+)/`, pathNot: TESTS },
      to: { path: `${SRC}modules/[^/]+/[^/]+\\.repository\\.ts$`, pathNot: `${SRC}modules/$1/` },
    },
    {
      name: 'only-db-client-opens-databases',
      severity: 'error',
      comment:
        'Only db/client.ts picks and imports a database driver. Documented exception: the legacy importer (tools/legacy-import/) reads its own source database.',
      from: { path: SRC, pathNot: [`${SRC}db/client\\.ts$`, `${SRC}tools/legacy-import/`, TESTS] },
      to: {
        path: '(^|/)node_modules/(pg|@electric-sql/pglite|drizzle-orm/(node-postgres|pglite))/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^apps/api/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'apps/api/tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
