import { INestApplication, RequestMethod } from '@nestjs/common';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, ROLES } from '../../src/auth/decorators';
import { API_PREFIX } from '../../src/app.setup';
import type { Role } from '../../src/auth/role.enum';

export interface RegisteredRoute {
  method: string;
  /** Full path with :params, e.g. /api/v1/users/:id */
  path: string;
  handler: string;
  roles: Role[] | undefined;
  isPublic: boolean;
}

const UNPREFIXED = ['health/live', 'health/ready', 'metrics'];

/** Every route the app registered through a Nest controller, with what it declares about access. */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as { prototype: Record<string, unknown>; name: string } | undefined;
      if (!ctrl?.prototype) continue;
      const base: string | string[] = Reflect.getMetadata(PATH_METADATA, ctrl) ?? '';
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const fn = ctrl.prototype[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const sub: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, fn);
        const verb: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, fn);
        if (sub === undefined || verb === undefined) continue;
        const roles: Role[] | undefined = Reflect.getMetadata(ROLES, fn) ?? Reflect.getMetadata(ROLES, ctrl);
        const isPublic = Boolean(Reflect.getMetadata(IS_PUBLIC, fn) ?? Reflect.getMetadata(IS_PUBLIC, ctrl));
        for (const b of [base].flat()) {
          for (const s of [sub].flat()) {
            const rel = [b, s].map((p) => p.replace(/^\/|\/$/g, '')).filter(Boolean).join('/');
            const path = UNPREFIXED.includes(rel) ? `/${rel}` : `/${API_PREFIX}/${rel}`;
            out.push({ method: RequestMethod[verb], path, handler: `${ctrl.name}.${name}`, roles, isPublic });
          }
        }
      }
    }
  }
  return out.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** Fill every :param with a well-formed id that exists nowhere. */
export function concretePath(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+/g, '00000000-0000-4000-8000-000000000000');
}
