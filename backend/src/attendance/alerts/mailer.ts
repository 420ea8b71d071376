import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config';

/** One message: plain text, and attachments (a report's CSV and PDF). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }>;
}

/**
 * Outgoing mail through SMTP (SMTP_URL). Without SMTP configured nothing is sent: each message is logged
 * and reported 'skipped', so a deployment without mail still ends its classes and runs its jobs.
 * A failure to send throws (the Bull job retries it).
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.mail.smtpUrl ? nodemailer.createTransport(config.mail.smtpUrl) : null;
  }

  get configured(): boolean {
    return this.transport !== null;
  }

  async send(message: MailMessage): Promise<'sent' | 'skipped'> {
    if (!this.transport) {
      this.logger.log(`SMTP not configured: not sending "${message.subject}" to ${message.to}`);
      return 'skipped';
    }
    await this.transport.sendMail({ from: this.config.mail.from, ...message });
    return 'sent';
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
