import { INestApplication, RequestMethod } from '@nestjs/common';
import { PATH_METADATA, METHOD_METADATA, MODULE_PATH } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, ROLES } from '../../src/common/access/decorators';
import type { Role } from '../../src/common/access/role.enum';

export interface RegisteredRoute {
  method: string;
  /** Full path with :params, e.g. /api/v1/users/:id, or a page's /posts/:id */
  path: string;
  handler: string;
  roles: Role[] | undefined;
  isPublic: boolean;
}

/** Every route the app registered through a Nest controller, with what it declares about access. */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  const modules = app.get(ModulesContainer);
  for (const mod of modules.values()) {
    // The module's own path (the API modules' /api/v1, set by RouterModule in AppModule).
    const modulePath: string = Reflect.getMetadata(MODULE_PATH + modules.applicationId, mod.metatype) ?? Reflect.getMetadata(MODULE_PATH, mod.metatype) ?? '';
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
            const path = `/${[modulePath, b, s].map((p) => p.replace(/^\/|\/$/g, '')).filter(Boolean).join('/')}`;
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
