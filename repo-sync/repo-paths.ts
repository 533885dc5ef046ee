/**
 * Where repo-sync keeps things under the data directory:
 *   <dataDir>/repos/store/<algo>/<hh>/<hash>   content-addressed, verified files
 *   <dataDir>/repos/published/<name>/…         per-repo snapshots + `current` (served at /repos/<name>/),
 *                                              and RPM-GPG-KEY-upstream: the repo's configured gpgKey
 *   <dataDir>/repos/tmp/                       scratch (decompressed metadata, private keyrings)
 *   <dataDir>/repos/gnupg/                     Striker's repo signing key
 *   <dataDir>/repos/own/striker/               Striker's own packages, signed and indexed before they are mirrored as `striker`
 *   <dataDir>/trees/<name> -> .snapshots/<id>  installation trees from ISOs (served at /trees/<name>/)
 *   <dataDir>/media/                           OS media uploaded through the browser (media/upload-file.ts)
 */
import { join } from 'node:path';

export interface RepoPaths {
  store: string;
  published: string;
  scratch: string;
  gnupg: string;
  /** Staging of Striker's own packages (own-packages.ts). */
  own: string;
  trees: string;
  /** ISOs uploaded through the browser: the media tree (media/upload-file.ts). */
  media: string;
  /** Public half of the signing key, served as /repos/RPM-GPG-KEY-striker. */
  signingKeyFile: string;
}

export function repoPaths(dataDir: string): RepoPaths {
  const root = join(dataDir, 'repos');
  const published = join(root, 'published');
  return {
    store: join(root, 'store'),
    published,
    scratch: join(root, 'tmp'),
    gnupg: join(root, 'gnupg'),
    own: join(root, 'own'),
    trees: join(dataDir, 'trees'),
    media: join(dataDir, 'media'),
    signingKeyFile: join(published, 'RPM-GPG-KEY-striker'),
  };
}

/** The file beside a repo's snapshots holding its upstream's key (the repo's `gpgKey`), served at /repos/<name>/RPM-GPG-KEY-upstream. */
export const UPSTREAM_KEY_FILE = 'RPM-GPG-KEY-upstream';
