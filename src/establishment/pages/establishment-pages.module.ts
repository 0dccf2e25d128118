import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../establishment.module';
import { ImportPages } from './import.page';
import { MatrixPages } from './matrix.page';
import { PostPages } from './posts.page';
import { ScopeProposalPages } from './scope-proposals.page';

/** The establishment's pages: the matrix, programmes and organisations, posts, scope proposals, import. */
@Module({
  imports: [EstablishmentModule],
  controllers: [MatrixPages, PostPages, ScopeProposalPages, ImportPages],
})
export class EstablishmentPagesModule {}
