// Runs in every integration test file before it loads: quiet logs, test mode.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.THROTTLE_LIMIT ??= '100000';
process.env.JWT_SECRET ??= 'integration-tests-only-secret-0123456789abcdef';
process.env.PUBLIC_BASE_URL ??= 'http://localhost:3000';
// Emails written as .eml files (no SMTP_URL) go to a throwaway folder, never the repo's .data/.
process.env.MAIL_DIR ??= require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'wtt-mail-'));
// Sign-in delays (progressive, per account and address) kept tiny so tests that fail sign-ins stay fast.
process.env.SIGN_IN_DELAY_BASE_MS ??= '1';
process.env.SIGN_IN_DELAY_MAX_MS ??= '20';
