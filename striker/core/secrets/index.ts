/** Secrets at rest: the site keyring, the AES-256-GCM envelope, and the registry of encrypted columns. */
export { currentKey, generateKey, isKeyId, keyById, keyFromWire, keyToWire, keyringWire, mergeKeys, newKeyring, siteKeyWire, withCurrent, type SiteKey, type SiteKeyWire, type SiteKeyring } from './keyring.js';
export { decryptSecret, encryptSecret, envelopeKeyId, isEnvelope, MAX_SECRET_BYTES } from './envelope.js';
export { keyringPath, loadOrCreateKeyring, readKeyring, writeKeyring } from './keyring-file.js';
export { siteKeys, type SiteKeys } from './site-keys.js';
export { columnContext, encryptedColumnRegistry, type EncryptedColumnRegistry, type EncryptedTable } from './encrypted-columns.js';
