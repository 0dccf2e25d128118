export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__WTT_SERVERS__;
  await servers?.redis?.stop();
  await servers?.pg?.stop();
}
