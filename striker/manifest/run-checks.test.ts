import { describe, expect, it } from 'vitest';
import { manifestViewSchema } from './manifest-schema.js';
import { planChecks } from './run-checks.js';
import { sampleManifest } from './sample-manifest.js';

describe('the run check of a NUT UPS', () => {
  it('asks upsc at the UPS port when the manifest gives one, at NUT\'s default otherwise', () => {
    const view = manifestViewSchema.parse(JSON.parse(JSON.stringify({ ...sampleManifest(), upses: [
      { name: 'ups1', source: 'nut', address: '10.201.3.1', upsName: 'ups1', powers: ['node1', 'node2', 'dr'] },
      { name: 'ups2', source: 'nut', address: '10.201.3.2', port: 3500, powers: ['node2'] },
    ] }).replace(/"password":"[^"]*"/g, '"password":{"set":true}').replace(/"clusterPassword":"[^"]*"/, '"clusterPassword":{"set":true}')));
    const ups = planChecks(view, new Map()).probes.filter((p) => p.argv[0] === 'upsc');
    expect(ups.map((p) => p.argv)).toEqual([['upsc', 'ups1@10.201.3.1', 'ups.status'], ['upsc', 'ups2@10.201.3.2:3500', 'ups.status']]);
    expect(ups[1]!.what).toBe('UPS ups2 (ups2@10.201.3.2:3500)');
  });
});
