import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { loadConfigOrExit } from './config/app-config';
import { DataSource } from 'typeorm';
import { assertNoDemoUsersInProduction } from './seed/demo-users';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(); // one clear line and exit 78 on a bad setting
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(), { bufferLogs: true });
  await configureApp(app); // docs per DOCS_ENABLED (off in production by default)
  const db = app.get(DataSource);
  await assertNoDemoUsersInProduction((sql) => db.query(sql), config.isProduction).catch((err: Error) => {
    console.error(err.message);
    process.exit(78);
  });
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
}

void bootstrap();
