import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { CreatedUserResponse, CreateUserDto, ListUsersQuery, UpdateUserDto, UserResponse } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Users, filtered by role and active state' })
  @ApiOkResponse({ type: [UserResponse] })
  async list(@Query() q: ListUsersQuery): Promise<UserResponse[]> {
    return (await this.users.list(q)).map(UserResponse.from);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Create a user with a role (and, for managers and tu_reps, scopes)' })
  @ApiCreatedResponse({ type: CreatedUserResponse })
  async create(@Body() dto: CreateUserDto): Promise<CreatedUserResponse> {
    const { user, initialPassword } = await this.users.create(dto);
    return { ...UserResponse.from(user), ...(initialPassword ? { initialPassword } : {}) };
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'A user (admins: anyone; others: only themselves, anyone else is 404)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.get(caller, id));
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Change display name, role or scopes (send the version you read)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version; the body carries currentVersion' })
  async update(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return UserResponse.from(await this.users.update(caller, id, dto));
  }

  @Post(':id/deactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: "Deactivate: the user's tokens stop working at once" })
  @ApiOkResponse({ type: UserResponse })
  async deactivate(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.setActive(caller, id, false));
  }

  @Post(':id/reactivate')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate a deactivated user (they sign in again)' })
  @ApiOkResponse({ type: UserResponse })
  async reactivate(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponse> {
    return UserResponse.from(await this.users.setActive(caller, id, true));
  }
}
