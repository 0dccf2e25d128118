import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { CreateWebhookDto, UpdateWebhookDto, VersionDto, WebhookResponse, WebhookWithSecretResponse } from './dto/webhook-subscription.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('notifications')
@Controller('admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Webhook subscriptions (Teams or any integration)' })
  @ApiOkResponse({ type: [WebhookResponse] })
  async list(): Promise<WebhookResponse[]> {
    return (await this.webhooks.list()).map(WebhookResponse.from);
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Subscribe an integration: signed JSON POSTs of the chosen events (never personal data). The secret is shown once.' })
  @ApiCreatedResponse({ type: WebhookWithSecretResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Name already in use' })
  async create(@CurrentUser() caller: AuthUser, @Body() dto: CreateWebhookDto): Promise<WebhookWithSecretResponse> {
    const w = await this.webhooks.create(caller, dto);
    return { ...WebhookResponse.from(w), secret: w.secret };
  }

  @Get(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'One webhook subscription (without its secret)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<WebhookResponse> {
    return WebhookResponse.from(await this.webhooks.get(id));
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Change a subscription (send the version you read)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version (body carries currentVersion) or name in use' })
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateWebhookDto): Promise<WebhookResponse> {
    return WebhookResponse.from(await this.webhooks.update(id, dto));
  }

  @Post(':id/rotate-secret')
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret; the new one is shown once and signs every later attempt' })
  @ApiOkResponse({ type: WebhookWithSecretResponse })
  async rotate(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: VersionDto): Promise<WebhookWithSecretResponse> {
    const w = await this.webhooks.rotateSecret(id, dto.version);
    return { ...WebhookResponse.from(w), secret: w.secret };
  }

  @Delete(':id')
  @Roles(Role.Admin)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its delivery history (deactivate it instead to keep the history)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.webhooks.remove(id);
  }
}
