import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SmokeJob } from './entities/smoke-job.entity';
import { SystemController } from './system.controller';
import { SystemService } from './system.service';

@Module({
  imports: [TypeOrmModule.forFeature([SmokeJob])],
  controllers: [SystemController],
  providers: [SystemService],
  exports: [TypeOrmModule],
})
export class SystemModule {}
