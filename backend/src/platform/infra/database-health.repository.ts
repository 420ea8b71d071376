import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The health check's question to PostgreSQL: does it answer a query at all. */
@Injectable()
export class DatabaseHealthRepository {
  constructor(private readonly db: DataSource) {}

  /** Resolves when the database answers; rejects with the driver's error otherwise. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
