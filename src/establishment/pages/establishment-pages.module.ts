import { Module } from '@nestjs/common';
import { EstablishmentModule } from '../establishment.module';
import { MatrixPages } from './matrix.page';

/** The establishment's pages: the matrix, programmes and organisations, posts, scope proposals, import. */
@Module({
  imports: [EstablishmentModule],
  controllers: [MatrixPages],
})
export class EstablishmentPagesModule {}
