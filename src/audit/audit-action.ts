/** What an audit row records. Features add theirs as `<entity>.<verb>`. */
export const AuditAction = {
  Create: 'create',
  Update: 'update',
  Delete: 'delete',
  StateChange: 'state_change',
  SignIn: 'auth.sign_in',
  SignInFailed: 'auth.sign_in_failed',
  SignOut: 'auth.sign_out',
  ApiTokenCreate: 'auth.api_token_create',
  ApiTokenRevoke: 'auth.api_token_revoke',
  Deactivate: 'deactivate',
  Reactivate: 'reactivate',
  SignInUnlock: 'auth.sign_in_unlock',
  Import: 'import',
  Export: 'export',
} as const;
export type AuditActionName = (typeof AuditAction)[keyof typeof AuditAction] | `${string}.${string}`;
