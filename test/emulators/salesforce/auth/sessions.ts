import { randomBytes } from 'node:crypto';

export interface Session {
  userId: string;
  issuedAt: number;
}

/** Access tokens look like real ones (`00D…!…`); the org Id prefixes them. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly orgId: string) {}

  issue(userId: string): { token: string; session: Session } {
    const token = `${this.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    const session = { userId, issuedAt: Date.now() };
    this.sessions.set(token, session);
    return { token, session };
  }

  get(token: string): Session | undefined {
    return this.sessions.get(token);
  }

  /** Control API: every issued token becomes invalid (the next call answers 401). */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }
}
