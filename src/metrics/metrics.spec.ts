import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { MetricsController } from './metrics.controller';
import type { MetricsService } from './metrics.service';
import { renderDeliveryMetrics } from './metrics.service';
import { dashboardToken } from './queue-dashboard';

describe('renderDeliveryMetrics', () => {
  it('turns the workers’ hash into a cumulative Prometheus histogram and counters', () => {
    const text = renderDeliveryMetrics({
      'outcome:email:sent': '3',
      'latency_bucket:email:0.1': '1',
      'latency_bucket:email:1': '1',
      'latency_bucket:email:+Inf': '1',
      'latency_count:email': '3',
      'latency_sum:email': '7200.35',
    });
    expect(text).toContain('wtt_notification_deliveries_total{channel="email",outcome="sent"} 3\n');
    expect(text).toContain('wtt_notification_deliveries_total{channel="webhook",outcome="failed"} 0\n');
    expect(text).toContain('wtt_notification_delivery_latency_seconds_bucket{channel="email",le="0.1"} 1\n');
    expect(text).toContain('wtt_notification_delivery_latency_seconds_bucket{channel="email",le="0.5"} 1\n');
    expect(text).toContain('wtt_notification_delivery_latency_seconds_bucket{channel="email",le="1"} 2\n');
    expect(text).toContain('wtt_notification_delivery_latency_seconds_bucket{channel="email",le="+Inf"} 3\n');
    expect(text).toContain('wtt_notification_delivery_latency_seconds_sum{channel="email"} 7200.35\n');
  });
});

describe('MetricsController access', () => {
  const service = { render: async () => 'ok', contentType: 'text/plain' } as unknown as MetricsService;
  const reply = { header: jest.fn() } as never;
  const controller = (cfg: Partial<AppConfig>) => new MetricsController(service, { isProduction: false, ...cfg } as AppConfig);

  it('is open without a token outside production, and 404 in production', async () => {
    await expect(controller({}).scrape(undefined, reply)).resolves.toBe('ok');
    await expect(controller({ isProduction: true }).scrape(undefined, reply)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('wants the exact token when one is set', async () => {
    const c = controller({ METRICS_TOKEN: 'a-long-metrics-token' });
    await expect(c.scrape(undefined, reply)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(c.scrape('Bearer a-long-metrics-tokeX', reply)).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(c.scrape('Bearer a-long-metrics-token', reply)).resolves.toBe('ok');
  });
});

describe('dashboardToken', () => {
  it('takes a bearer token, or the password of HTTP Basic', () => {
    expect(dashboardToken('Bearer abc')).toBe('abc');
    expect(dashboardToken(`Basic ${Buffer.from('me@x.example:wtt_secret:with:colons').toString('base64')}`)).toBe('wtt_secret:with:colons');
    expect(dashboardToken(`Basic ${Buffer.from('me@x.example:').toString('base64')}`)).toBeNull();
    expect(dashboardToken('Digest x')).toBeNull();
    expect(dashboardToken(undefined)).toBeNull();
  });
});
