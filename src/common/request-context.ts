import { Injectable, NestMiddleware } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthUser } from './access/auth-user';

export interface RequestStore {
  requestId?: string;
  ip?: string;
  /** Set by the AuthGuard once the caller is known. */
  user?: AuthUser;
}

const storage = new AsyncLocalStorage<RequestStore>();

/** What the current request is (id, address, caller), wherever the code runs. Empty outside a request. */
export const RequestContext = {
  get(): RequestStore {
    return storage.getStore() ?? {};
  },
  run<T>(store: RequestStore, fn: () => T): T {
    return storage.run(store, fn);
  },
};

@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { id?: string }, _res: ServerResponse, next: () => void): void {
    storage.run({ requestId: req.id, ip: req.socket?.remoteAddress }, next);
  }
}
