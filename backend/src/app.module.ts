import { BullModule } from '@nestjs/bull';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { ClassroomModule } from './classroom/classroom.module';
import type { AppConfig } from './config/config';
import { DevPlatformModule } from './dev-platform/dev-platform.module';
import { LtiModule } from './lti/lti.module';
import { SESSION_TOKENS, SessionGuard } from './platform/auth/session.guard';
import { SessionAuthModule } from './platform/auth/session-auth.module';
import { SessionTokens } from './platform/auth/session-token';
import { dataSourceOptions } from './platform/database';
import { HealthController } from './platform/health.controller';
import { DatabaseHealthRepository } from './platform/infra/database-health.repository';
import { APP_CONFIG } from './config/config';
import { createRedis, REDIS } from './platform/redis';
import { AdminModule } from './admin/admin.module';
import { AttendanceModule } from './attendance/attendance.module';
import { BreakoutModule } from './breakout/breakout.module';
import { AttendanceMailModule } from './attendance/reports/attendance-mail.module';
import { GradesModule } from './grades/grades.module';
import { RosterModule } from './roster/roster.module';
import { TenancyModule } from './tenancy/tenancy.module';
import { WhiteboardModule } from './whiteboard/whiteboard.module';
import { QuizModule } from './quiz/quiz.module';
import { MediaModule } from './media/media.module';
import { RecordingModule } from './recording/recording.module';
import { DomainEvents } from './platform/domain-events';
import { RateLimiter } from './platform/rate-limit/rate-limiter';
import { SocketGate } from './platform/socket-events';
import { loggingModule } from './platform/logging';
import { Metrics } from './platform/metrics/metrics';
import { MetricsServer } from './platform/metrics/metrics-server';
import { QueueMetrics } from './platform/metrics/queue-metrics';
import { Readiness } from './platform/readiness';

/** Configuration, Redis and session tokens, available to every module. */
@Global()
@Module({})
class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(config: AppConfig): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: REDIS, useFactory: () => createRedis(config.redisUrl) },
      {
        provide: SESSION_TOKENS,
        useValue: new SessionTokens(
          config.sessionSecret,
          config.publicUrl,
          config.sessionTtlSeconds,
          config.session.maxAgeSeconds,
        ),
      },
      SessionGuard,
      DomainEvents,
      RateLimiter,
      SocketGate,
      DatabaseHealthRepository,
      Metrics,
      MetricsServer,
      QueueMetrics,
      Readiness,
    ];
    return {
      module: CoreModule,
      imports: [DiscoveryModule],
      providers,
      exports: providers,
      controllers: [HealthController],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const grades = GradesModule.forRoot(config);
    const attendance = AttendanceModule.forRoot(grades);
    return {
      module: AppModule,
      imports: [
        loggingModule(config),
        CoreModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl)),
        BullModule.forRoot({ url: config.redisUrl, prefix: config.queuePrefix }),
        TenancyModule,
        SessionAuthModule,
        LtiModule,
        ClassroomModule,
        RosterModule,
        grades,
        AdminModule,
        WhiteboardModule,
        MediaModule,
        RecordingModule,
        QuizModule.forRoot(grades),
        BreakoutModule,
        attendance,
        AttendanceMailModule.forRoot(attendance),
        // The dev LMS platform is never part of a production build's module graph.
        ...(config.devPlatform.enabled ? [DevPlatformModule] : []),
      ],
    };
  }
}
