import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ltijsTable } from '../../../../migrations/1764000000100-create-ltijs-store';

/**
 * ltijs's database plugin backed by our PostgreSQL (no MongoDB). ltijs calls Get/Insert/Replace/
 * Modify/Delete with Mongo-style equality queries on top-level fields; each collection is a table of
 * jsonb documents (created by our migrations) and a query is a jsonb containment (`doc @> query`).
 * Encrypted documents keep ltijs's own format (index fields + iv + data, AES-256-CBC keyed by the
 * SHA-256 of the ltijs key), so keys stored here are exactly what ltijs expects.
 */
type Doc = Record<string, unknown>;

/** How long ltijs's collections keep a document (its mongoose schemas' `expires`). */
const TTL_SECONDS: Record<string, number> = {
  nonce: 10,
  state: 600,
  accesstoken: 3600,
  idtoken: 86400,
  contexttoken: 86400,
};

export class LtijsPostgresStore {
  constructor(private readonly db: DataSource) {}

  private table(collection: string): string {
    if (!/^[A-Za-z]+$/.test(collection)) throw new Error(`UNKNOWN_COLLECTION ${collection}`);
    return ltijsTable(collection);
  }

  /**
   * ltijs sometimes queries with a field it does not have yet (e.g. `{ kid: undefined }` in its cleanup
   * after a failed registration). JSON would drop the field and turn the query into "everything";
   * here such a query matches nothing, and a write or delete with it is refused.
   */
  private query(q: Doc | undefined, write: boolean): string | null {
    const entries = Object.entries(q ?? {});
    if (entries.some(([, v]) => v === undefined)) {
      if (write) throw new Error('LTIJS_STORE_UNDEFINED_QUERY_FIELD');
      return null;
    }
    if (write && entries.length === 0) throw new Error('LTIJS_STORE_EMPTY_QUERY');
    return JSON.stringify(q ?? {});
  }

  private expiry(collection: string): Date | null {
    const ttl = TTL_SECONDS[collection];
    return ttl ? new Date(Date.now() + ttl * 1000) : null;
  }

  async setup(): Promise<boolean> {
    return true;
  }

  async Close(): Promise<boolean> {
    return true; // the DataSource belongs to the application, which closes it
  }

  async Get(key: string | false, collection: string, query: Doc = {}): Promise<Doc[] | false> {
    if (!collection) throw new Error('MISSING_COLLECTION');
    const q = this.query(query, false);
    if (q === null) return false;
    const rows: Array<{ doc: Doc; created_at: Date }> = await this.db.query(
      `SELECT doc, created_at FROM ${this.table(collection)}
        WHERE doc @> $1::jsonb AND (expires_at IS NULL OR expires_at > now()) ORDER BY id`,
      [q],
    );
    if (rows.length === 0) return false;
    if (!key) return rows.map((r) => r.doc);
    return rows.map((r) => ({
      ...JSON.parse(this.decrypt(String(r.doc.data), String(r.doc.iv), key)),
      createdAt: new Date(r.created_at).getTime(),
    }));
  }

  async Insert(key: string | false, collection: string, item: Doc, index?: Doc): Promise<boolean> {
    if (!collection || !item || (key && !index)) throw new Error('MISSING_PARAMS');
    await this.db.query(`INSERT INTO ${this.table(collection)} (doc, expires_at) VALUES ($1::jsonb, $2)`, [
      JSON.stringify(this.toDoc(key, item, index)),
      this.expiry(collection),
    ]);
    return true;
  }

  async Replace(key: string | false, collection: string, query: Doc, item: Doc, index?: Doc): Promise<boolean> {
    if (!collection || !item || (key && !index)) throw new Error('MISSING_PARAMS');
    const table = this.table(collection);
    const q = this.query(query, true);
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM ${table} WHERE doc @> $1::jsonb`, [q]);
      await m.query(`INSERT INTO ${table} (doc, expires_at) VALUES ($1::jsonb, $2)`, [
        JSON.stringify(this.toDoc(key, item, index)),
        this.expiry(collection),
      ]);
    });
    return true;
  }

  async Modify(key: string | false, collection: string, query: Doc, modification: Doc): Promise<boolean> {
    if (!collection || !query || !modification) throw new Error('MISSING_PARAMS');
    const table = this.table(collection);
    const [row]: Array<{ id: string; doc: Doc }> = await this.db.query(
      `SELECT id, doc FROM ${table} WHERE doc @> $1::jsonb ORDER BY id LIMIT 1`,
      [this.query(query, true)],
    );
    if (!row) return true;
    let patch: Doc = modification;
    if (key) {
      const plain = JSON.parse(this.decrypt(String(row.doc.data), String(row.doc.iv), key));
      const [field, value] = Object.entries(modification)[0];
      plain[field] = value;
      patch = this.encrypt(JSON.stringify(plain), key);
    }
    await this.db.query(`UPDATE ${table} SET doc = doc || $2::jsonb WHERE id = $1`, [row.id, JSON.stringify(patch)]);
    return true;
  }

  async Delete(collection: string, query: Doc): Promise<boolean> {
    if (!collection || !query) throw new Error('MISSING_PARAMS');
    await this.db.query(`DELETE FROM ${this.table(collection)} WHERE doc @> $1::jsonb`, [this.query(query, true)]);
    return true;
  }

  /** Removes documents past their expiry; run by the LTI maintenance job. Returns how many went. */
  async purgeExpired(collections: readonly string[]): Promise<number> {
    let removed = 0;
    for (const c of collections) {
      const res = await this.db.query(`DELETE FROM ${this.table(c)} WHERE expires_at < now()`);
      removed += Number(res?.[1] ?? 0);
    }
    return removed;
  }

  private toDoc(key: string | false, item: Doc, index?: Doc): Doc {
    if (!key) return item;
    return { ...index, ...this.encrypt(JSON.stringify(item), key) };
  }

  // Same scheme as ltijs's built-in database, so documents are interchangeable with it.
  encrypt(data: string, secret: string): { iv: string; data: string } {
    const k = crypto.createHash('sha256').update(secret).digest().subarray(0, 32);
    const iv = crypto.randomBytes(16);
    const cipher = crypto.createCipheriv('aes-256-cbc', k, iv);
    return { iv: iv.toString('hex'), data: Buffer.concat([cipher.update(data), cipher.final()]).toString('hex') };
  }

  decrypt(data: string, iv: string, secret: string): string {
    const k = crypto.createHash('sha256').update(secret).digest().subarray(0, 32);
    const decipher = crypto.createDecipheriv('aes-256-cbc', k, Buffer.from(iv, 'hex'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'hex')), decipher.final()]).toString();
  }
}
