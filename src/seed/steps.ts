import { demoUsersStep } from '../users/demo-users';
import type { SeedStep } from './seed-step';

/**
 * The demo seed, in order. Each feature adds its step here (one import, one entry).
 * All steps run in one transaction: the demo loads whole or not at all.
 */
export const steps: SeedStep[] = [
  // establishment step goes first (programme, organisations, areas, grades, posts, holders)
  demoUsersStep,
];
