import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({ example: 'fte', description: 'Path of the offending field (dots and [index])' })
  field: string;

  @ApiProperty({ example: 'must not be greater than 1' })
  reason: string;

  // Facts about the field, where a client needs them. The error shape has no other top-level fields.
  @ApiPropertyOptional({ description: 'On `version` in a 409: the version now stored' }) currentVersion?: number;
  @ApiPropertyOptional({ description: 'In a 429: seconds until a retry can succeed (also the Retry-After header)' }) retryAfterSeconds?: number;
  @ApiPropertyOptional({ description: 'In an import 422: the spreadsheet row (header = 1)' }) row?: number;
  @ApiPropertyOptional({ description: 'In an import 422: the column' }) column?: string;
  @ApiPropertyOptional({ type: [Number], description: 'In an import 422: other rows involved (a duplicate)' }) relatedRows?: number[];
  @ApiPropertyOptional({ type: [String], description: 'On `to` in a refused case transition (409): the states it may move to' }) allowed?: string[];
  @ApiPropertyOptional({ description: 'On `to` in a refused case transition (409): the state it is in' }) currentState?: string;
  @ApiPropertyOptional({ description: 'On `status` in a refused delivery retry (409): the delivery status' }) currentStatus?: string;
}

/** The one error shape every failure is returned in. */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({ example: 'Validation failed' }) message: string;
  @ApiPropertyOptional({ type: [ErrorDetail] }) details?: ErrorDetail[];
  @ApiProperty({ example: '6f1c7a5e-3b0a-4a55-9d8f-0e7c2f9b1f0d' }) requestId: string;
}

/**
 * An HTTP error carrying field-level details. Facts a client needs (the current version of a
 * stale record, when to retry) travel inside a detail (see ErrorDetail). `extra`, if given, is
 * merged into the first detail: the body never grows top-level fields.
 */
export class ApiException extends HttpException {
  constructor(
    status: HttpStatus,
    message: string,
    readonly details?: ErrorDetail[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message, status);
  }

  static validation(details: ErrorDetail[], message = 'Validation failed'): ApiException {
    return new ApiException(HttpStatus.BAD_REQUEST, message, details);
  }
}
