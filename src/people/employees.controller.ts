import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { AssignmentsService } from './assignments.service';
import { AssignmentResponse, CreateAssignmentDto, MoveEmployeeDto, MoveResponse, UpdateAssignmentDto } from './dto/assignment.dto';
import { CreateEmployeeDto, EmployeePage, EmployeeResponse, ListEmployeesQuery, UpdateEmployeeDto } from './dto/employee.dto';
import { EmployeesService } from './employees.service';

const uuid = () => new ParseUUIDPipe({ version: '4' });

/** People and their assignments to posts. Personal data: HR officers and admins only. */
@ApiTags('people')
@Controller('employees')
export class EmployeesController {
  constructor(
    private readonly employees: EmployeesService,
    private readonly assignments: AssignmentsService,
  ) {}

  @Get()
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Employees, by name or staff number prefix, or by programme' })
  @ApiOkResponse({ type: EmployeePage })
  async list(@Query() q: ListEmployeesQuery): Promise<EmployeePage> {
    const page = await this.employees.list(q);
    return { ...page, items: page.items.map(EmployeeResponse.from) };
  }

  @Post()
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Record an employee' })
  @ApiCreatedResponse({ type: EmployeeResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Staff number or work email already used' })
  async create(@Body() dto: CreateEmployeeDto): Promise<EmployeeResponse> {
    return EmployeeResponse.from(await this.employees.create(dto));
  }

  @Get(':id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'An employee, with what their ELI still needs' })
  @ApiOkResponse({ type: EmployeeResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('id', uuid()) id: string): Promise<EmployeeResponse> {
    return EmployeeResponse.from(await this.employees.get(id));
  }

  @Patch(':id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Change an employee (send the version you read). The continuous service date never moves later.' })
  @ApiOkResponse({ type: EmployeeResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version; the body carries currentVersion' })
  async update(@Param('id', uuid()) id: string, @Body() dto: UpdateEmployeeDto): Promise<EmployeeResponse> {
    return EmployeeResponse.from(await this.employees.update(id, dto));
  }

  @Get(':id/assignments')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: "The employee's assignments to posts, oldest first" })
  @ApiOkResponse({ type: [AssignmentResponse] })
  async listAssignments(@Param('id', uuid()) id: string): Promise<AssignmentResponse[]> {
    return this.assignments.list(id);
  }

  @Post(':id/assignments')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Assign the employee to a post for a period (refused if the post or the person would be over their FTE)' })
  @ApiCreatedResponse({ type: AssignmentResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Over the FTE of the post or of the contract, or already in the post then' })
  async createAssignment(@Param('id', uuid()) id: string, @Body() dto: CreateAssignmentDto): Promise<AssignmentResponse> {
    return this.assignments.create(id, dto);
  }

  @Patch(':id/assignments/:assignmentId')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Change or end an assignment (send the version you read)' })
  @ApiOkResponse({ type: AssignmentResponse })
  async updateAssignment(
    @Param('id', uuid()) id: string,
    @Param('assignmentId', uuid()) assignmentId: string,
    @Body() dto: UpdateAssignmentDto,
  ): Promise<AssignmentResponse> {
    return this.assignments.update(id, assignmentId, dto);
  }

  @Post(':id/moves')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Move the employee to another post from a date; continuity of service is kept' })
  @ApiCreatedResponse({ type: MoveResponse })
  async move(@Param('id', uuid()) id: string, @Body() dto: MoveEmployeeDto): Promise<MoveResponse> {
    return this.assignments.move(id, dto);
  }
}
