import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors/index.js';
import { manifestViewSchema } from './manifest-schema.js';
import { MAX_MANIFEST_BYTES, parseManifestYaml, stringifyManifestYaml } from './manifest-yaml.js';
import { sampleManifest } from './sample-manifest.js';

function refusal(text: string): string {
  try {
    parseManifestYaml(text, 'site.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('');
    return problems[0]!.message;
  }
  throw new Error(`accepted: ${text.slice(0, 60)}`);
}

describe('manifest YAML', () => {
  it('reads YAML and JSON alike', () => {
    expect(parseManifestYaml('version: 1\npair: { prefix: an, sequence: 1 }\n')).toEqual({ version: 1, pair: { prefix: 'an', sequence: 1 } });
    expect(parseManifestYaml(JSON.stringify(sampleManifest()))).toEqual(sampleManifest());
  });

  it('writes a document that reads back the same, behind a header', () => {
    const view = manifestViewSchema.parse({ ...sampleManifest(), clusterPassword: { set: true }, hosts: { ...sampleManifest().hosts, node1: { ...sampleManifest().hosts.node1, ipmi: undefined }, node2: { ...sampleManifest().hosts.node2, ipmi: undefined } }, fenceDevices: [], upses: [] });
    const text = stringifyManifestYaml('an-anvil-01', view);
    expect(text.startsWith('# Striker install manifest an-anvil-01.\n')).toBe(true);
    expect(parseManifestYaml(text)).toEqual(view);
  });

  it.each([
    ['a: [1, 2\nb: 3\n', /^site\.yaml is not valid YAML \(line 2, column 1\): /],
    ['a: 1\na: 2\n', /line 2, column 1\): Map keys must be unique/],
    ['a: !!js/function "x"\n', /Unresolved tag/],
    ['a: !custom 3\n', /Unresolved tag: !custom/],
    ['a: 1\n---\nb: 2\n', /multiple documents/],
    ['', /is empty/],
    ['# only a comment\n', /is empty/],
    ['a: "\u0000"\n', /NUL/],
    [`${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`, /nests deeper than 32 levels/],
    ['a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /alias/],
  ])('refuses %j', (text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  it('refuses a document over the size cap before parsing it', () => {
    expect(refusal(`# ${'x'.repeat(MAX_MANIFEST_BYTES)}\n`)).toMatch(/at most 262144 bytes \(256 KiB\)/);
  });
});
