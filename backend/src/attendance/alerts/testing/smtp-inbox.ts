import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** What the test SMTP server received: one message, parsed. */
export interface ReceivedMail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  from: string | null;
  subject: string;
  text: string;
  attachments: Array<{ filename: string | null; contentType: string; contentBase64: string }>;
}

/** A real SMTP server in a child process (smtp-inbox-server.mjs), asked over HTTP what arrived. */
export class SmtpInbox {
  private constructor(
    private readonly child: ChildProcess,
    readonly smtpPort: number,
    private readonly httpPort: number,
  ) {}

  static async start(): Promise<SmtpInbox> {
    const child = spawn(process.execPath, [path.join(__dirname, 'smtp-inbox-server.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the SMTP inbox exited (${code})`)));
    });
    const { smtpPort, httpPort } = JSON.parse(first) as { smtpPort: number; httpPort: number };
    return new SmtpInbox(child, smtpPort, httpPort);
  }

  /** The SMTP_URL the app sends through. */
  get url(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  async messages(): Promise<ReceivedMail[]> {
    return (await fetch(`http://127.0.0.1:${this.httpPort}/messages`)).json() as Promise<ReceivedMail[]>;
  }

  /** Refuses the next `count` messages with a temporary error (451). */
  async failNext(count: number): Promise<void> {
    await fetch(`http://127.0.0.1:${this.httpPort}/fail?count=${count}`, { method: 'POST' });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
