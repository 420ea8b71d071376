import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/config';
import { Mailer } from './mailer';
import { SmtpInbox } from './testing/smtp-inbox';

const mailer = (smtpUrl: string | null) =>
  new Mailer({ mail: { smtpUrl, from: 'Lectern <lectern@school.test>' } } as AppConfig);

describe('Mailer (a real SMTP server in its own process)', () => {
  let inbox: SmtpInbox;
  beforeAll(async () => {
    inbox = await SmtpInbox.start();
  });
  afterAll(() => inbox?.close());

  it('sends a message with an attachment that the server receives', async () => {
    const m = mailer(inbox.url);
    const outcome = await m.send({
      to: 'grace@dev-lms.test',
      subject: 'Attendance: Mechanics',
      text: 'Hello Grace',
      attachments: [{ filename: 'a.csv', content: 'student\nGrace\n', contentType: 'text/csv' }],
    });
    m.onModuleDestroy();
    expect(outcome).toBe('sent');
    const [msg] = (await inbox.messages()).filter((x) => x.subject === 'Attendance: Mechanics');
    expect(msg.envelopeTo).toEqual(['grace@dev-lms.test']);
    expect(msg.envelopeFrom).toBe('lectern@school.test');
    expect(msg.text.trim()).toBe('Hello Grace');
    expect(msg.attachments.map((a) => [a.filename, Buffer.from(a.contentBase64, 'base64').toString()])).toEqual([
      ['a.csv', 'student\nGrace\n'],
    ]);
  });

  it('throws on a refusal (the job retries it) and skips without SMTP configured', async () => {
    await inbox.failNext(1);
    const m = mailer(inbox.url);
    await expect(m.send({ to: 'a@b.test', subject: 'refused', text: 'x' })).rejects.toThrow(/451/);
    m.onModuleDestroy();
    expect(await mailer(null).send({ to: 'a@b.test', subject: 'nowhere', text: 'x' })).toBe('skipped');
    const subjects = (await inbox.messages()).map((x) => x.subject);
    expect(subjects).not.toContain('refused');
    expect(subjects).not.toContain('nowhere');
  });
});
