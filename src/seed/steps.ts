import { demoUsersStep } from './demo-users';
import { casesDemoStep } from './cases-demo';
import { consultationDemoStep } from './consultation-demo';
import { establishmentDemoStep } from './establishment-demo';
import { lettersDemoStep } from './letters-demo';
import { eliDemoStep } from './eli-demo';
import type { SeedStep } from './seed-step';

/**
 * The demo seed, in order. Each feature adds its step here (one import, one entry).
 * All steps run in one transaction: the demo loads whole or not at all.
 */
export const steps: SeedStep[] = [
  // establishment step goes first (programme, organisations, areas, grades, posts, holders)
  establishmentDemoStep,
  casesDemoStep, // after the establishment: reads its programme's in-scope holders
  lettersDemoStep, // after the cases: the letters of those past "letters issued"
  eliDemoStep, // after the cases: the ELI draft and final releases
  demoUsersStep,
  consultationDemoStep, // after the establishment (its programme and posts) and the demo users (links the demo rep's forum seat)
];
