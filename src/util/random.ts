/**
 * Seeded random numbers: the same seed gives the same sequence on every machine, so that
 * check-robot runs, simulations and property tests can be repeated exactly.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export type Random = () => number;

/** Uniform numbers in [0, 1) from a seeded xoroshiro128+ generator. */
export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed | 0);
  return () => uniformFloat64(generator);
}

/** Uniform in [lo, hi). */
export function uniform(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}
