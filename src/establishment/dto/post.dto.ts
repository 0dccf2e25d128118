import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { ToInt } from '../../common/validation';
import { isEnum, IsEnum, isInt, IsInt, IsString, isUUID, IsUUID, length, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { EstablishmentStatus, POSTS_PAGE_DEFAULT, POSTS_PAGE_MAX, Scope } from '../establishment.constants';
import { IsFte, OptionalNotNull, UserRefResponse, VersionedDto } from './common.dto';

/** References are what HR types in their sheets: letters, digits and a few separators. */
export const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/;

export class CreatePostDto {
  @ApiProperty()
  @IsUUID()
  programmeId: string;

  @ApiProperty({ description: 'A source (or the destination) organisation of the programme' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({ description: 'A thematic area of the programme' })
  @IsUUID()
  thematicAreaId: string;

  @ApiProperty({ description: "A grade on the organisation's scale" })
  @IsUUID()
  gradeId: string;

  @ApiProperty({ example: 'MCC-LD-001', maxLength: 50, description: 'Unique within the organisation' })
  @Matches(REFERENCE, { message: 'may hold letters, digits, spaces and . _ / - and must start with a letter or digit' })
  @Length(1, 50)
  @IsString()
  reference: string;

  @ApiProperty({ example: 'Commissioning Manager', maxLength: 200 })
  @Length(1, 200)
  @IsString()
  title: string;

  @ApiProperty({ example: 0.6, description: '0 < fte <= 1, two decimals' })
  @IsFte()
  fte: number;

  @ApiProperty({ enum: EstablishmentStatus })
  @IsEnum(EstablishmentStatus)
  establishmentStatus: EstablishmentStatus;

  @ApiPropertyOptional({ enum: Scope, description: "Defaults to the thematic area's default scope" })
  @OptionalNotNull()
  @IsEnum(Scope)
  scope?: Scope;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why the post has this scope (required with scope)' })
  @ValidateIf((o: CreatePostDto) => o.scope !== undefined || o.scopeReason !== undefined)
  @Length(1, 2000)
  @IsString()
  scopeReason?: string;
}

/**
 * Any field but the programme, and the version last read. Changing `scope` is a scope decision:
 * it needs `scopeReason` and is kept in the post's scope history.
 */
export class UpdatePostDto extends IntersectionType(
  PartialType(OmitType(CreatePostDto, ['programmeId', 'scopeReason'] as const), { skipNullProperties: false }),
  VersionedDto,
) {
  @ApiPropertyOptional({ maxLength: 2000, description: 'Why the post has its scope (required with scope; alone, it re-decides the current scope)' })
  @ValidateIf((o: UpdatePostDto) => o.scope !== undefined || o.scopeReason !== undefined)
  @Length(1, 2000)
  @IsString()
  scopeReason?: string;
}

export class ListPostsQuery {
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() programmeId?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() organisationId?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() thematicAreaId?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() gradeId?: string;
  @ApiPropertyOptional({ enum: Scope }) @OptionalNotNull() @IsEnum(Scope) scope?: Scope;

  @ApiPropertyOptional({ enum: EstablishmentStatus, description: "Establishment status; without it, every status but 'deleted'" })
  @OptionalNotNull()
  @IsEnum(EstablishmentStatus)
  status?: EstablishmentStatus;

  @ApiPropertyOptional({ description: 'Text in the reference or title (case-insensitive)', maxLength: 100 })
  @OptionalNotNull()
  @Length(1, 100)
  @IsString()
  q?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @OptionalNotNull()
  @Length(1, 500)
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ default: POSTS_PAGE_DEFAULT, maximum: POSTS_PAGE_MAX })
  @OptionalNotNull()
  @Max(POSTS_PAGE_MAX)
  @Min(1)
  @IsInt()
  @ToInt()
  limit?: number;

  /**
   * The list's query as the global ValidationPipe would return it, when every field is plainly
   * valid by the same class-validator predicates as the decorators above; otherwise undefined,
   * and the ValidationPipe validates it and words every error (the fast path never refuses).
   * The list is the API's busiest request: this skips class-transformer and class-validator's
   * metadata walk, about 50 µs a request (post.dto.spec.ts proves the results identical).
   */
  static fromValidQuery(value: unknown): ListPostsQuery | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const out = new ListPostsQuery();
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v !== 'string') return undefined;
      switch (key) {
        case 'programmeId':
        case 'organisationId':
        case 'thematicAreaId':
        case 'gradeId':
          if (!isUUID(v)) return undefined;
          out[key] = v;
          break;
        case 'scope':
          if (!isEnum(v, Scope)) return undefined;
          out.scope = v as Scope;
          break;
        case 'status':
          if (!isEnum(v, EstablishmentStatus)) return undefined;
          out.status = v as EstablishmentStatus;
          break;
        case 'q':
          if (!length(v, 1, 100)) return undefined;
          out.q = v;
          break;
        case 'cursor':
          if (!length(v, 1, 500)) return undefined;
          out.cursor = v;
          break;
        case 'limit': {
          if (!/^\d{1,15}$/.test(v)) return undefined;
          const n = Number(v);
          if (!isInt(n) || n < 1 || n > POSTS_PAGE_MAX) return undefined;
          out.limit = n;
          break;
        }
        default:
          return undefined;
      }
    }
    return out;
  }
}

export class NamedRef {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class OrganisationRef extends NamedRef {
  @ApiProperty({ nullable: true, type: String }) shortName: string | null;
}

export class GradeRef {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() rank: number;
  @ApiProperty({ description: 'Report column (reportGroup, else code)' }) reportGroup: string;
}

export class PostHolderResponse {
  @ApiProperty() employeeId: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ description: 'HR officers and admins only' }) staffNumber?: string;
  @ApiProperty() fte: number;
  @ApiProperty() startsOn: string;
  @ApiProperty({ nullable: true, type: String }) endsOn: string | null;
}

export class PostResponse {
  @ApiProperty() id: string;
  @ApiProperty() reference: string;
  @ApiProperty() title: string;
  @ApiProperty() programmeId: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ type: NamedRef }) thematicArea: NamedRef;
  @ApiProperty({ type: GradeRef }) grade: GradeRef;
  @ApiProperty({ example: 0.6 }) fte: number;
  @ApiProperty({ enum: EstablishmentStatus }) establishmentStatus: EstablishmentStatus;
  @ApiProperty({ enum: Scope }) scope: Scope;
  @ApiProperty({ nullable: true, type: String }) scopeReason: string | null;
  @ApiProperty({ nullable: true, type: UserRefResponse }) scopeDecidedBy: UserRefResponse | null;
  @ApiProperty({ nullable: true, type: String }) scopeDecidedAt: string | null;
  @ApiProperty({ type: [PostHolderResponse], description: 'Current holders (assignments in force today)' }) holders: PostHolderResponse[];
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class PostPage {
  @ApiProperty({ type: [PostResponse] }) items: PostResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last page' }) nextCursor: string | null;
  @ApiProperty() limit: number;
}

export class ScopeHistoryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: Scope, nullable: true }) fromScope: Scope | null;
  @ApiProperty({ enum: Scope }) toScope: Scope;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: UserRefResponse }) decidedBy: UserRefResponse | null;
  @ApiProperty() decidedAt: string;
}
