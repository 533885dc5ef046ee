/**
 * Typed decoding and encoding of structured option values. Every decoder throws only
 * DecodeError, naming the option and the absolute offset of the bad byte.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { formatIpv4 } from '../../striker/core/net/ipv4.js';
import { readU32 } from './packet.js';

export interface SubOption {
  code: number;
  data: Uint8Array;
}

/**
 * Code/length/value sub-options: option 82 (RFC 3046 §2.0), PXE option 43 (PXE spec 2.1 §2.4),
 * iPXE option 175. A sub-option code 255 ends the list, 0 is padding (PXE, iPXE).
 */
export function decodeSubOptions(data: Uint8Array, field: string, base: number): SubOption[] {
  const out: SubOption[] = [];
  let at = 0;
  while (at < data.length) {
    const code = data[at] ?? 0;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    if (at + 1 >= data.length) throw new DecodeError(`sub-option ${code} has no length byte`, field, base + at);
    const length = data[at + 1] ?? 0;
    if (at + 2 + length > data.length) {
      throw new DecodeError(`sub-option ${code} length ${length} runs past the option end`, field, base + at + 1);
    }
    out.push({ code, data: data.subarray(at + 2, at + 2 + length) });
    at += 2 + length;
  }
  return out;
}

export function encodeSubOptions(subs: readonly SubOption[], withEnd = false): Uint8Array {
  const size = subs.reduce((n, s) => n + 2 + s.data.length, 0) + (withEnd ? 1 : 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const sub of subs) {
    out[at++] = sub.code;
    out[at++] = sub.data.length;
    out.set(sub.data, at);
    at += sub.data.length;
  }
  if (withEnd) out[at] = 255;
  return out;
}

export interface ClasslessRoute {
  destination: number;
  prefix: number;
  router: number;
}

/** RFC 3442 §3: width byte, significant destination octets, router. */
export function decodeClasslessRoutes(data: Uint8Array, base: number): ClasslessRoute[] {
  const routes: ClasslessRoute[] = [];
  let at = 0;
  while (at < data.length) {
    const prefix = data[at] ?? 0;
    if (prefix > 32) throw new DecodeError(`route prefix ${prefix} is over 32`, 'option 121 ClasslessStaticRoute', base + at);
    const octets = Math.ceil(prefix / 8);
    if (at + 1 + octets + 4 > data.length) {
      throw new DecodeError('route runs past the option end', 'option 121 ClasslessStaticRoute', base + at);
    }
    let destination = 0;
    for (let i = 0; i < 4; i++) destination = destination * 256 + (i < octets ? (data[at + 1 + i] ?? 0) : 0);
    routes.push({ destination: destination >>> 0, prefix, router: readU32(data, at + 1 + octets) });
    at += 1 + octets + 4;
  }
  return routes;
}

export function encodeClasslessRoutes(routes: readonly ClasslessRoute[]): Uint8Array {
  const bytes: number[] = [];
  for (const r of routes) {
    const octets = Math.ceil(r.prefix / 8);
    bytes.push(r.prefix);
    for (let i = 0; i < octets; i++) bytes.push((r.destination >>> (24 - 8 * i)) & 255);
    for (let i = 0; i < 4; i++) bytes.push((r.router >>> (24 - 8 * i)) & 255);
  }
  return Uint8Array.from(bytes);
}

export function formatClasslessRoute(r: ClasslessRoute): string {
  return `${formatIpv4(r.destination)}/${r.prefix} via ${formatIpv4(r.router)}`;
}

/** RFC 3397 §2: a list of RFC 1035 names, with compression pointers into the option itself. */
export function decodeDomainSearch(data: Uint8Array, base: number): string[] {
  const field = 'option 119 DomainSearch';
  const names: string[] = [];
  let at = 0;
  while (at < data.length) {
    const labels: string[] = [];
    let cursor = at;
    let jumped = false;
    let hops = 0;
    for (;;) {
      if (cursor >= data.length) throw new DecodeError('name runs past the option end', field, base + cursor);
      const length = data[cursor] ?? 0;
      if (length === 0) {
        if (!jumped) at = cursor + 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (cursor + 1 >= data.length) throw new DecodeError('compression pointer cut short', field, base + cursor);
        const target = ((length & 0x3f) << 8) | (data[cursor + 1] ?? 0);
        if (target >= cursor || ++hops > 64) throw new DecodeError(`compression pointer ${target} does not point backwards`, field, base + cursor);
        if (!jumped) at = cursor + 2;
        jumped = true;
        cursor = target;
        continue;
      }
      if ((length & 0xc0) !== 0) throw new DecodeError(`label length byte ${length} is reserved`, field, base + cursor);
      if (cursor + 1 + length > data.length) throw new DecodeError('label runs past the option end', field, base + cursor);
      labels.push(Buffer.from(data.subarray(cursor + 1, cursor + 1 + length)).toString('latin1'));
      cursor += 1 + length;
    }
    names.push(labels.join('.'));
  }
  return names;
}

/** Encodes names without compression (RFC 3397 allows either). */
export function encodeDomainSearch(names: readonly string[]): Uint8Array {
  const bytes: number[] = [];
  for (const name of names) {
    for (const label of name.split('.').filter((l) => l !== '')) {
      const b = Buffer.from(label, 'latin1');
      bytes.push(b.length, ...b);
    }
    bytes.push(0);
  }
  return Uint8Array.from(bytes);
}

/**
 * Option 77 user class. RFC 3004 §4 wants length-prefixed instances, but iPXE and many PXE
 * ROMs send a bare string (`iPXE`); when the bytes do not parse as RFC 3004 they are one
 * bare class.
 */
export function decodeUserClasses(data: Uint8Array): string[] {
  const classes: string[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data[at] ?? 0;
    if (length === 0 || at + 1 + length > data.length) return [Buffer.from(data).toString('latin1')];
    classes.push(Buffer.from(data.subarray(at + 1, at + 1 + length)).toString('latin1'));
    at += 1 + length;
  }
  return classes;
}

export function u32Bytes(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

export function ipListBytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => out.set(u32Bytes(v), i * 4));
  return out;
}

export function textBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
