import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActivityRepository } from './activity.repository';
import { CourseRepository } from './course.repository';
import { PlatformRepository } from './platform.repository';

/** The tenancy repositories, all bound to one open transaction. */
export interface TenancyRepositories {
  platforms: PlatformRepository;
  courses: CourseRepository;
  activities: ActivityRepository;
}

/**
 * Runs a piece of work whose writes must land together or not at all (a launch's tenant rows): the
 * repositories it is handed share one transaction, committed when the work resolves, rolled back when it throws.
 */
@Injectable()
export class TenancyTransaction {
  constructor(private readonly db: DataSource) {}

  run<T>(work: (tx: TenancyRepositories) => Promise<T>): Promise<T> {
    return this.db.transaction((m) =>
      work({
        platforms: new PlatformRepository(m),
        courses: new CourseRepository(m),
        activities: new ActivityRepository(m),
      }),
    );
  }
}
