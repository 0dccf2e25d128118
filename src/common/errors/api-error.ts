import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({ example: 'fte', description: 'Path of the offending field (dots and [index])' })
  field: string;

  @ApiProperty({ example: 'must not be greater than 1' })
  reason: string;
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
 * An HTTP error carrying field-level details (and, for a version conflict, the
 * current state the client needs). Features throw this, or Nest's own exceptions.
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
