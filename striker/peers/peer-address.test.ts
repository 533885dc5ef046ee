import { describe, expect, it } from 'vitest';
import { normalisePeerAddress, peerAddressProblem } from './peer-address.js';

describe('peer address', () => {
  it.each([
    ['https://striker2.example.com:8443/', undefined],
    ['https://10.201.4.2', undefined],
    ['http://127.0.0.1:8080/', undefined],
    ['http://127.5.6.7/', undefined],
    ['http://localhost:9000', undefined],
    ['http://[::1]:8080/', undefined],
    ['http://10.201.4.2:8080/', /must be https:\/\/ \(plain http:\/\/ is accepted for a loopback address only/],
    ['http://127.0.0.1.example.com/', /must be https:\/\//],
    ['ftp://striker2/', /must be an https:\/\/ URL — got ftp:/],
    ['https://admin:pw@striker2/', /must not carry a user name or password/],
    ['https://striker2/?token=x', /must not have a query or fragment/],
    ['striker2:8443', /must be an https:\/\/ URL|must be a URL/],
    ['not a url', /must be a URL like/],
  ])('%s', (raw, problem) => {
    const seen = peerAddressProblem(raw);
    if (problem === undefined) expect(seen).toBeUndefined();
    else expect(seen).toMatch(problem);
  });

  it('normalises to a base URL ending with /', () => {
    expect(normalisePeerAddress('https://striker2:8443/api')).toBe('https://striker2:8443/api/');
    expect(normalisePeerAddress('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/');
  });
});
