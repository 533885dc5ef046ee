/**
 * Hostile input for the fuzz tests: a seeded generator of random and mutated DHCP messages.
 * Mutations are the ones that break parsers: flipped bytes, truncation, lying length bytes,
 * missing End, option overload pointing at garbage, huge option runs.
 */

/** xorshift32: fast, seeded, reproducible. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

const INTERESTING = [0, 1, 2, 3, 4, 6, 16, 17, 52, 53, 82, 119, 121, 127, 128, 254, 255];

export function fuzzPacket(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  const mode = rng.below(10);
  if (mode === 0) {
    const out = new Uint8Array(rng.below(700));
    for (let i = 0; i < out.length; i++) out[i] = rng.below(256);
    return out;
  }
  const seed = seeds[rng.below(seeds.length)]!;
  let out: Uint8Array = new Uint8Array(seed);
  if (mode === 1) {
    // Valid header, random options area.
    const tail = new Uint8Array(rng.below(400));
    for (let i = 0; i < tail.length; i++) tail[i] = rng.below(4) === 0 ? INTERESTING[rng.below(INTERESTING.length)]! : rng.below(256);
    const joined = new Uint8Array(240 + tail.length);
    joined.set(out.subarray(0, 240));
    joined.set(tail, 240);
    return joined;
  }
  const edits = 1 + rng.below(6);
  for (let e = 0; e < edits; e++) {
    const kind = rng.below(5);
    if (kind === 0 && out.length > 0) out[rng.below(out.length)] = rng.below(256);
    else if (kind === 1 && out.length > 240) out[240 + rng.below(out.length - 240)] = INTERESTING[rng.below(INTERESTING.length)]!;
    else if (kind === 2) out = out.subarray(0, rng.below(out.length + 1));
    else if (kind === 3 && out.length > 0) out[rng.below(Math.min(out.length, 240))] = rng.below(256);
    else if (kind === 4) {
      // Splice a random option in after the cookie.
      const length = rng.below(260) & 255;
      const option = new Uint8Array(2 + length);
      option[0] = INTERESTING[rng.below(INTERESTING.length)]!;
      option[1] = rng.below(3) === 0 ? rng.below(256) : length;
      for (let i = 2; i < option.length; i++) option[i] = rng.below(256);
      const at = Math.min(out.length, 240);
      const joined = new Uint8Array(out.length + option.length);
      joined.set(out.subarray(0, at));
      joined.set(option, at);
      joined.set(out.subarray(at), at + option.length);
      out = joined;
    }
  }
  return out;
}
