import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssignmentsService } from './assignments.service';
import { EmployeesController } from './employees.controller';
import { EmployeesService } from './employees.service';
import { Employee } from './entities/employee.entity';
import { PostAssignment } from './entities/post-assignment.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Employee, PostAssignment])],
  controllers: [EmployeesController],
  providers: [EmployeesService, AssignmentsService],
  exports: [EmployeesService, AssignmentsService],
})
export class PeopleModule {}
