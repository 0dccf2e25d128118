import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { UuidParam } from '../common/http/uuid-param';
import { ErrorResponse } from '../common/errors/api-error';
import { RegisterEntryResponse, RegisterPageResponse, RegisterQuery, RepRegisterEntryResponse } from './register.dto';
import { DocumentRegisterService } from './register.service';

/** The register of issued documents by role (HR and admins: all; a tu_rep: the reg. 13 documents only). */
@ApiTags('documents')
@ApiExtraModels(RegisterEntryResponse, RepRegisterEntryResponse)
@Controller()
@Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
export class DocumentRegisterController {
  constructor(private readonly register: DocumentRegisterService) {}

  @Get('programmes/:id/document-register')
  @ApiOperation({ summary: 'The register of issued documents, filtered by kind and case, newest first, in keyset pages (a tu_rep: reg. 13 information and measures letters only, no personal data)' })
  @ApiOkResponse({ type: RegisterPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  page(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query() q: RegisterQuery): Promise<RegisterPageResponse> {
    return this.register.page(user, id, q);
  }
}
