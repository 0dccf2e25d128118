import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, PipeTransform, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiConflictResponse, ApiConsumes, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ApiException, ErrorResponse } from '../common/errors/api-error';
import { readUpload } from '../establishment/upload';
import { DOCUMENT_KINDS, DocumentKind } from './document-kinds';
import {
  DocumentDetailResponse,
  DocumentResponse,
  GenerateCaseDocumentDto,
  GenerateConsultationDocumentDto,
  IssueDocumentDto,
  TemplateVersionResponse,
  UploadTemplateQuery,
} from './dto/document.dto';
import { DocumentsService, TEMPLATE_MAX_BYTES } from './documents.service';

const uuid = () => new ParseUUIDPipe({ version: '4' });

class KindPipe implements PipeTransform<string, DocumentKind> {
  transform(value: string): DocumentKind {
    if (!DOCUMENT_KINDS.includes(value as DocumentKind)) throw ApiException.validation([{ field: 'kind', reason: `must be one of: ${DOCUMENT_KINDS.join(', ')}` }]);
    return value as DocumentKind;
  }
}

export class FileFormatQuery {
  @IsIn(['docx', 'pdf'])
  format: 'docx' | 'pdf' = 'pdf';
}

const asciiName = (s: string) => s.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 150);

/** (Path parameters are typed `string`: the global ValidationPipe would treat an enum type as a class to validate.) */
/** Letters: templates, generation, issue, the register (admins and HR officers). */
@ApiTags('documents')
@Controller()
@Roles(Role.Admin, Role.HrOfficer)
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get('document-templates')
  @ApiOperation({ summary: 'Every version of every template, with the fields each uses (current = the one new documents use)' })
  @ApiOkResponse({ type: [TemplateVersionResponse] })
  templates(): Promise<TemplateVersionResponse[]> {
    return this.documents.templates();
  }

  @Post('document-templates/:kind')
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: 'Upload a new version of a template (DOCX, field "file"); checked before it is kept' })
  @ApiCreatedResponse({ type: TemplateVersionResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'Not a DOCX, broken tags, or a field the kind does not have (details name each)' })
  async upload(@CurrentUser() user: AuthUser, @Param('kind', new KindPipe()) kindParam: string, @Query() q: UploadTemplateQuery, @Req() req: FastifyRequest): Promise<TemplateVersionResponse> {
    const file = await readUpload(req, TEMPLATE_MAX_BYTES);
    return this.documents.uploadTemplate(user, kindParam as DocumentKind, file, q.note);
  }

  @Get('document-templates/:kind/:version/file')
  @ApiOperation({ summary: 'Download a template version (DOCX) to edit in Word' })
  async templateFile(@Param('kind', new KindPipe()) kindParam: string, @Param('version', ParseIntPipe) version: number): Promise<StreamableFile> {
    const f = await this.documents.templateFile(kindParam as DocumentKind, version);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${kindParam}-v${version}.docx"` });
  }

  @Post('cases/:id/documents')
  @ApiOperation({ summary: "Generate a draft of the case's letter from the current template (DOCX now; the PDF follows from the worker)" })
  @ApiCreatedResponse({ type: DocumentDetailResponse })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'The case lacks what the letter needs, or the template cannot be rendered' })
  generateForCase(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: GenerateCaseDocumentDto): Promise<DocumentResponse> {
    return this.documents.generateForCase(user, id, dto.kind);
  }

  @Get('cases/:id/documents')
  @ApiOkResponse({ type: [DocumentResponse] })
  forCase(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<DocumentResponse[]> {
    return this.documents.forCase(user, id);
  }

  @Post('consultations/:id/documents')
  @ApiOperation({ summary: 'Generate a draft of the reg. 13 information or the measures letter for the union representatives' })
  @ApiCreatedResponse({ type: DocumentDetailResponse })
  generateForConsultation(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: GenerateConsultationDocumentDto): Promise<DocumentResponse> {
    return this.documents.generateForConsultation(user, id, dto);
  }

  @Get('consultations/:id/documents')
  @ApiOkResponse({ type: [DocumentResponse] })
  forConsultation(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<DocumentResponse[]> {
    return this.documents.forConsultation(user, id);
  }

  @Get('programmes/:id/documents')
  @ApiOperation({ summary: 'The register: every issued document of the programme, with its hashes, template version, issuer and recipients' })
  @ApiOkResponse({ type: [DocumentResponse] })
  register(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<DocumentResponse[]> {
    return this.documents.register(user, id);
  }

  @Get('documents/:id')
  @ApiOkResponse({ type: DocumentDetailResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string): Promise<DocumentDetailResponse> {
    return this.documents.get(user, id);
  }

  @Get('documents/:id/file')
  @ApiOperation({ summary: 'Download the DOCX or the PDF (?format=docx|pdf); audited' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The PDF is not ready yet' })
  async file(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Query() q: FileFormatQuery): Promise<StreamableFile> {
    const f = await this.documents.file(user, id, q.format);
    return new StreamableFile(f.bytes, { type: f.mediaType, disposition: `attachment; filename="${asciiName(f.title)}.${q.format}"` });
  }

  @Post('documents/:id/issue')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a draft: it becomes immutable; issuing a second draft of the same letter returns the one already issued' })
  @ApiOkResponse({ type: DocumentResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The PDF is not ready, or there is no one to give it to' })
  issue(@CurrentUser() user: AuthUser, @Param('id', uuid()) id: string, @Body() dto: IssueDocumentDto): Promise<DocumentResponse> {
    return this.documents.issue(user, id, dto);
  }
}
