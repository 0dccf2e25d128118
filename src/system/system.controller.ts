import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { CreateSmokeJobDto, SmokeJobResponse } from './dto/smoke-job.dto';
import { SystemService } from './system.service';

@ApiTags('system')
@Roles(Role.Admin)
@Controller('system/smoke-jobs')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a smoke job: proves API → queue → worker → database' })
  @ApiCreatedResponse({ type: SmokeJobResponse })
  async create(@Body() dto: CreateSmokeJobDto): Promise<SmokeJobResponse> {
    return SmokeJobResponse.from(await this.system.createSmokeJob(dto.message));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A smoke job and whether the worker has processed it' })
  @ApiOkResponse({ type: SmokeJobResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<SmokeJobResponse> {
    return SmokeJobResponse.from(await this.system.getSmokeJob(id));
  }
}
