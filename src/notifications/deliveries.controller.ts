import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { DeliveriesQuery, DeliveryPage, DeliveryResponse } from './dto/delivery.dto';
import { DeliveriesService } from './deliveries.service';

@ApiTags('notifications')
@Controller('admin/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Notification deliveries by status (default: failed, with the error of the last attempt), newest first' })
  @ApiOkResponse({ type: DeliveryPage })
  async list(@Query() q: DeliveriesQuery): Promise<DeliveryPage> {
    const page = await this.deliveries.list(q);
    return { items: page.items.map(DeliveryResponse.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'One delivery' })
  @ApiOkResponse({ type: DeliveryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeliveryResponse> {
    return DeliveryResponse.from(await this.deliveries.get(id));
  }

  @Post(':id/retry')
  @Roles(Role.Admin)
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a failed delivery: it goes back on its queue with a fresh set of attempts' })
  @ApiAcceptedResponse({ type: DeliveryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The delivery is not failed' })
  async retry(@Param('id', new ParseUUIDPipe()) id: string): Promise<DeliveryResponse> {
    return DeliveryResponse.from(await this.deliveries.retry(id));
  }
}
