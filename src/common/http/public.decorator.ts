import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'wtt:public';
/** The route needs no signed-in user (health, sign-in). Every other route must declare its roles. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
