/**
 * The SMTP server of the notifications bench, in its own process (so it does not share the
 * worker's event loop): a real smtp-server that accepts everything and counts messages by
 * their X-WTT-Notification-Id. Talks to the bench over IPC.
 */
import { startSmtpSink } from '../test/support/smtp-sink';

async function main(): Promise<void> {
  const sink = await startSmtpSink({ parse: false });
  process.send!({ port: sink.port });
  process.on('message', (m: string) => {
    if (m === 'count') {
      const ids = sink.messages.map((x) => x.notificationId);
      process.send!({ count: ids.length, distinct: new Set(ids).size, cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) });
    } else if (m === 'reset') {
      sink.messages.length = 0;
      process.send!({ reset: true });
    } else if (m === 'stop') {
      void sink.close().then(() => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    }
  });
}

void main();
