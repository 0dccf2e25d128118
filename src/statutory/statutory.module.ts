import { Module } from '@nestjs/common';
import { StatutoryController } from './statutory.controller';

/**
 * The statutory rules (rules.ts) and the working-day calendar (calendar.ts) are plain functions
 * that cases and consultations import; this module serves them as reference data.
 */
@Module({ controllers: [StatutoryController] })
export class StatutoryModule {}
