/**
 * Seeded random numbers: the same seed gives the same sequence on every machine, so that
 * check-robot runs, simulations and property tests can be repeated exactly.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export type Random = () => number;

/**
 * Uniform numbers in [0, 1) from a seeded xoroshiro128+ generator. The seed is scrambled first
 * (a bijection of 32-bit integers): xoroshiro128plus(seed) starts from a state that holds the seed
 * almost as it is, so without scrambling the first draws are nearly the same for every small seed
 * (the very first one just below 1).
 */
export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(scramble(seed | 0));
  return () => uniformFloat64(generator);
}

/** Golden-ratio offset (so that 0 does not stay 0), then MurmurHash3's 32-bit finaliser. */
function scramble(seed: number): number {
  let h = (seed + 0x9e3779b9) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Uniform in [lo, hi). */
export function uniform(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}
