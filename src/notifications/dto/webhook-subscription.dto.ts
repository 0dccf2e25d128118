import { VersionField } from '../../common/validation';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { DomainEventType } from '../../events/domain-event';
import { WebhookSubscription } from '../entities/webhook-subscription.entity';

const EVENT_TYPES = Object.values(DomainEventType) as string[];
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true };

export class CreateWebhookDto {
  @ApiProperty({ example: 'HR/OD Teams channel' })
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  name: string;

  @ApiProperty({ example: 'https://example.webhook.office.com/webhookb2/…', description: 'http(s); https in production' })
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  @IsString()
  url: string;

  @ApiPropertyOptional({ enum: DomainEventType, isArray: true, description: 'Event types to receive; empty or absent means all' })
  @IsOptional()
  @IsIn(EVENT_TYPES, { each: true, message: 'each value must be a known event type' })
  @ArrayUnique()
  @ArrayMaxSize(50)
  @IsArray()
  eventTypes?: string[];

  @ApiPropertyOptional({ nullable: true, type: String, description: "Only this programme's events; null or absent means every programme" })
  @IsOptional()
  @IsUUID()
  programmeId?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookDto {
  @VersionField()
  version: number;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(100)
  @MinLength(1)
  @IsString()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  @IsString()
  url?: string;

  @ApiPropertyOptional({ enum: DomainEventType, isArray: true })
  @IsOptional()
  @IsIn(EVENT_TYPES, { each: true, message: 'each value must be a known event type' })
  @ArrayUnique()
  @ArrayMaxSize(50)
  @IsArray()
  eventTypes?: string[];

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  programmeId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class VersionDto {
  @VersionField()
  version: number;
}

export class WebhookResponse {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty({ type: [String] }) eventTypes: string[];
  @ApiProperty({ nullable: true, type: String }) programmeId: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(w: WebhookSubscription): WebhookResponse {
    return {
      id: w.id,
      name: w.name,
      url: w.url,
      eventTypes: [...w.eventTypes].sort(),
      programmeId: w.programmeId,
      active: w.isActive,
      version: w.version,
      createdAt: w.createdAt.toISOString(),
      updatedAt: w.updatedAt.toISOString(),
    };
  }
}

export class WebhookWithSecretResponse extends WebhookResponse {
  @ApiProperty({ description: 'HMAC-SHA256 key of the X-Signature header (sha256=<hex> of the raw body). Shown only now.' })
  secret: string;
}
