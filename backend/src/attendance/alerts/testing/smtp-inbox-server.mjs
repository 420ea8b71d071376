// A real SMTP server in a process of its own, for tests: it accepts every message (smtp-server), keeps it
// parsed (mailparser), and answers what arrived over HTTP (GET /messages). POST /fail?count=N refuses the
// next N messages with a temporary error (451), as a mail server that is away for a while.
// Prints one JSON line on stdout when listening: {"smtpPort":..,"httpPort":..}.
import http from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const messages = [];
let failNext = 0;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    if (failNext > 0) {
      failNext--;
      stream.resume();
      stream.on('end', () => {
        const err = new Error('Try again later');
        err.responseCode = 451;
        callback(err);
      });
      return;
    }
    simpleParser(stream)
      .then((mail) => {
        messages.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          from: mail.from?.text ?? null,
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          attachments: mail.attachments.map((a) => ({
            filename: a.filename ?? null,
            contentType: a.contentType,
            contentBase64: a.content.toString('base64'),
          })),
          receivedAt: new Date().toISOString(),
        });
        callback();
      })
      .catch(callback);
  },
});

const api = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://inbox');
  if (req.method === 'GET' && url.pathname === '/messages') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(messages));
  } else if (req.method === 'POST' && url.pathname === '/fail') {
    failNext = Number(url.searchParams.get('count') ?? '1');
    res.end('ok');
  } else {
    res.statusCode = 404;
    res.end();
  }
});

smtp.listen(0, '127.0.0.1', () => {
  api.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ smtpPort: smtp.server.address().port, httpPort: api.address().port }) + '\n');
  });
});
process.on('SIGTERM', () => {
  smtp.close(() => api.close(() => process.exit(0)));
});
