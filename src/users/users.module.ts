import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './entities/user.entity';
import { UserScopeEntity } from './entities/user-scope.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { IdentityCache } from './identity-cache';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserScopeEntity])],
  controllers: [UsersController],
  providers: [UsersService, IdentityCache],
  exports: [UsersService, IdentityCache],
})
export class UsersModule {}
