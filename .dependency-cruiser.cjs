/**
 * The layers, enforced (`npm run check:layers`, and a test under test/layering/):
 *
 *   striker/core/   the ground: imports nothing of the project
 *   striker/{db,jobs,auth,audit,events,http}/   the platform: imports the ground only
 *   areas           in lifecycle order (AREAS below): an area imports the ground, the platform and
 *                   the public surface (index.ts) of an earlier area, never its internals and never
 *                   a later area
 *   striker/app/    the only wiring: nothing imports it
 *
 * Tests (`*.test.ts`, `test/`) may reach into anything they exercise; the rules cover the code
 * that ships. Circular imports are refused everywhere.
 */
const AREAS = [
  'striker/setup',
  'striker/peers',
  'repo-sync',
  'pxe',
  'striker/machines',
  'kickstart',
  'striker/agent',
  'striker/manifest',
  'cluster',
];
const GROUND = '^striker/core/';
const PLATFORM = '^striker/(db|jobs|auth|audit|events|http)/';
const APP = '^striker/app/';
const TESTS = '(^test/|\\.test\\.ts$)';
const esc = (s) => s.replace(/[/.]/g, (c) => `\\${c}`);
const anyArea = `^(${AREAS.map(esc).join('|')})/`;

const areaRules = AREAS.flatMap((area, i) => {
  const later = AREAS.slice(i + 1);
  const rules = [
    {
      name: 'area-through-index',
      comment: `${area} may use another area only through its index.ts`,
      severity: 'error',
      from: { path: `^${esc(area)}/`, pathNot: TESTS },
      to: { path: anyArea, pathNot: [`^${esc(area)}/`, `^(${AREAS.map(esc).join('|')})/index\\.ts$`] },
    },
  ];
  if (later.length > 0) {
    rules.push({
      name: 'area-lifecycle-order',
      comment: `${area} comes before ${later.join(', ')} in the lifecycle: what it needs from them is injected by striker/app`,
      severity: 'error',
      from: { path: `^${esc(area)}/`, pathNot: TESTS },
      to: { path: `^(${later.map(esc).join('|')})/` },
    });
  }
  return rules;
});

module.exports = {
  forbidden: [
    {
      name: 'ground-imports-nothing',
      comment: 'striker/core is the ground: it imports nothing of the project',
      severity: 'error',
      from: { path: GROUND, pathNot: TESTS },
      to: { path: '^(striker|pxe|kickstart|repo-sync|cluster|ui|test|scripts)/', pathNot: GROUND },
    },
    {
      name: 'platform-imports-ground-only',
      comment: 'the platform (db, jobs, auth, audit, events, http) imports only the ground and itself',
      severity: 'error',
      from: { path: PLATFORM, pathNot: TESTS },
      to: { path: '^(striker|pxe|kickstart|repo-sync|cluster|ui|test|scripts)/', pathNot: [GROUND, PLATFORM] },
    },
    {
      name: 'nothing-imports-app',
      comment: 'striker/app is the only wiring; nothing imports it',
      severity: 'error',
      from: { pathNot: [APP, TESTS, '^bin/'] },
      to: { path: APP },
    },
    {
      name: 'shipped-code-imports-no-tests',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...areaRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|ui/build|ui/\\.svelte-kit)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    moduleSystems: ['es6'],
  },
};
