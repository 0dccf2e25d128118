/**
 * Every migration, in order. The schema's only author; a test checks that each
 * file in this folder is listed here.
 */
import { CreateSmokeJobs1763800000000 } from './1763800000000-CreateSmokeJobs';

export const migrations = [CreateSmokeJobs1763800000000];
